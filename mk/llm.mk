# llm sources: streamed chat clients (OpenAI-compatible, Anthropic, Ollama)
# driven through curl's multi interface, the prompt and the answer parser.
libsluice_a_SOURCES += \
	llm/llm.h llm/provider.h \
	llm/config.c llm/provider.c llm/stream.c llm/prompt.c llm/answer.c
# libcurl is opened on first use, not linked (core/dynlib.h).
libsluice_a_SOURCES += llm/curl_shim.c

# unit-llm: stream lines, answers, scrubbing, settings, and the poll() API.
check_PROGRAMS += tests/unit-llm
tests_unit_llm_SOURCES = tests/unit-llm.c tests/tap.h
tests_unit_llm_LDADD = $(LIBSLUICE_LIBS)
