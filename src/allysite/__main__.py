from allysite.cli import main

main()
