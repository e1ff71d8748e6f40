"""Games: the catalogue of supported games and their in-game id rules."""
