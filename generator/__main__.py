from generator.cli import program

program()
