from allysite.launch import run

run()
