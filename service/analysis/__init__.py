"""caveat's domain core: text in, plain dataclasses out. Imports no Flask."""
