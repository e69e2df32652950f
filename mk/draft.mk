# draft sources
