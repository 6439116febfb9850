"""Use cases: one function each, one transaction each; events are published after the commit."""
