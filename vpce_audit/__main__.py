from vpce_audit.cli.main import main

main()
