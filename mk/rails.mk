# Rails (ActiveRecord) migrations: Ruby read without Ruby, translated into
# the SQL ActiveRecord sends (core/discover/rails_int.h).
libsluice_a_SOURCES += \
	core/discover/rails.c core/discover/rails_int.h core/discover/rails_lex.c core/discover/rails_dsl.c core/discover/rails_sql.c \
	core/discover/rails_index.c

check_PROGRAMS += tests/unit-rails
tests_unit_rails_SOURCES = tests/unit-rails.c tests/tap.h
tests_unit_rails_LDADD = $(LIBSLUICE_LIBS)
