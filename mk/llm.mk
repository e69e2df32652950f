# llm sources
