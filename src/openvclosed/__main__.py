from openvclosed.cli import main

main()
