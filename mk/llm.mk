# llm sources: streamed chat clients (OpenAI-compatible, Anthropic, Ollama)
# driven through curl's multi interface, the prompt and the answer parser.
libsluice_a_SOURCES += \
	llm/llm.h llm/provider.h \
	llm/config.c llm/provider.c llm/stream.c llm/prompt.c llm/answer.c
