"""`edgevae serve`: the runtime's API over HTTP (Starlette on uvicorn, the `serve` extra), and the
latent explorer page computing through it. Every request goes through edgevae.runtime's own
Generator, Encoder and load_digit: the same checks and the same one-line errors as the Python API."""
