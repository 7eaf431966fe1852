"""``python -m tongxin``: the same as the ``tongxin`` command."""
from cli.main import main

if __name__ == "__main__":
    main(prog_name="tongxin")
