-- bot.realtime_start: where a relay that starts now begins. Every event
-- with txid below the horizon is history (replayable, not live); events of
-- transactions at or above it are delivered live. Cursor (xmin, 0, 0).
create function bot.realtime_start() returns xid8
language sql stable
set search_path = pg_catalog, pg_temp
return pg_snapshot_xmin(pg_current_snapshot());

comment on function bot.realtime_start() is 'Start cursor (txid part) for a realtime relay: the oldest transaction still running.';
grant execute on function bot.realtime_start() to nezuko_bridge;
