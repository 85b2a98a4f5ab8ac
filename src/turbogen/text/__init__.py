"""Text encoders: prompts -> (N, 384) unit vectors (MiniLM; a hashed stand-in for tests)."""
def text_encoder(name: str):
    """The encoder called `name`: texts -> (N, 384) unit vectors."""
    from ..errors import InputError
    if name == "minilm":     # plain-torch MiniLM: same vectors as sentence-transformers, fast load
        from .minilm_torch import encode
        return encode
    if name == "hashed":
        from .hashed import encode
        return encode
    raise InputError(f"unknown text encoder {name!r}; choose one of: minilm, hashed")
