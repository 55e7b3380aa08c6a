from avthrift.entrypoints.cli.app import main

main()
