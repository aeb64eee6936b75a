from wanbench.cli import main

main()
