# db sources
