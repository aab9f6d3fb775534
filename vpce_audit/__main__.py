from vpce_audit.cli import main

main()
