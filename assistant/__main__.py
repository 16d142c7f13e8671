"""`python -m assistant …` is the `assistant` command: `python -m assistant index build --if-stale`,
`python -m assistant ask "结婚登记要带什么"`, `python -m assistant eval`.  Useful where the venv's
scripts directory is not on PATH (or the project is not installed, only checked out)."""
from assistant.cli import main

main()
