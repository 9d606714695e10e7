"""Sub-commands of the `chatbot` CLI, one module each with `register(subparsers)`."""
