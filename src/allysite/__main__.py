from allysite.cli import run

run()
