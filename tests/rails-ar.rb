# tests/rails-ar.rb - runs Rails migrations with ActiveRecord and prints the
# SQL it sends, for tests/t-rails-activerecord.sh to compare with sluice's
# translation.
#
#   ruby rails-ar.rb CONNINFO DIR
#
# CONNINFO is libpq's "host=... port=... user=... dbname=..."; DIR holds
# <version>_<name>.rb files, run in version order on that database: each
# one up, then down, then up again (not printed) so the next finds the
# schema it expects. Output, per file and direction:
#   == <file> up|down
#   <one statement per line, as sent>
#   -- error: <message>        when the server (or ActiveRecord) refused
# Queries ActiveRecord makes for itself (catalogue lookups, named SCHEMA)
# and transaction control are not printed.
require "active_record"

conninfo, dir = ARGV
opts = { adapter: "postgresql" }
conninfo.split.each do |kv|
  k, v = kv.split("=", 2)
  opts[{ "user" => :username, "dbname" => :database }.fetch(k, k.to_sym)] = v
end
ActiveRecord::Base.establish_connection(opts)

# strong_migrations is not packaged in Debian: its safety_assured only
# silences its own checks, so running the block is all it does to the SQL.
class ActiveRecord::Migration
  def safety_assured
    yield
  end
end
ActiveRecord::Migration.verbose = false

$printing = false
ActiveSupport::Notifications.subscribe("sql.active_record") do |*, p|
  next if !$printing || p[:name] == "SCHEMA" || p[:name] == "TRANSACTION"
  puts p[:sql].gsub(/\s+/, " ").strip
end

def run(m, direction)
  if m.disable_ddl_transaction
    m.migrate(direction)
  else
    ActiveRecord::Base.transaction { m.migrate(direction) }
  end
  true
rescue StandardError => e
  puts "-- error: #{e.class}: #{e.message.lines.first.to_s.strip}"
  false
end

Dir[File.join(dir, "*.rb")].sort.each do |file|
  load file
  name = File.basename(file, ".rb").sub(/\A\d+_/, "").split("_").map(&:capitalize).join
  m = Object.const_get(name).new
  puts "== #{File.basename(file)} up"
  $printing = true
  ok = run(m, :up)
  next unless ok
  puts "== #{File.basename(file)} down"
  down_ok = run(m, :down)
  $printing = false
  run(m, :up) if down_ok
end
