"""Home: what a phone's home screen needs about the signed-in user, in one call."""
