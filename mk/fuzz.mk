# fuzz sources
