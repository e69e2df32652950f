# Rails (ActiveRecord) migrations: Ruby read without Ruby, translated into
# the SQL ActiveRecord sends (core/rails.h).
libsluice_a_SOURCES += \
	core/rails.c core/rails.h core/rails_lex.c core/rails_dsl.c core/rails_sql.c

check_PROGRAMS += tests/unit-rails
tests_unit_rails_SOURCES = tests/unit-rails.c tests/tap.h
tests_unit_rails_LDADD = $(LIBSLUICE_LIBS)
