-- Realtime events: what the SSE relay (GET /v1/events) replays from.
--
-- verification_log and admin_logs rows ARE events (each carries the txid of
-- the transaction that wrote it). bot_status and admin_commands change in
-- place, so their changes are copied here, by the triggers package, as an
-- outbox that keeps the row as it was at that moment.
--
-- Order and gap-freedom: every event is keyed (txid, kind_no, id). The relay
-- delivers an event only once its txid is older than every transaction still
-- in flight (pg_snapshot_xmin(pg_current_snapshot())), so an event can never
-- appear behind a cursor a client already holds, however transactions
-- interleave (ids from a sequence are not in commit order).

create table nezuko.realtime_events (
    id         bigint generated always as identity primary key,
    channel    text not null check (channel in ('bot_status', 'commands')),
    kind       text not null check (kind in ('status_changed', 'command_updated')),
    source_id  bigint not null,
    data       jsonb not null check (jsonb_typeof(data) = 'object'),
    created_at timestamptz not null default now(),
    txid       xid8 not null default pg_current_xact_id()
);
create index realtime_events_txid_idx on nezuko.realtime_events (txid, id);
create index realtime_events_created_brin on nezuko.realtime_events using brin (created_at);
comment on table nezuko.realtime_events is 'Outbox of realtime events for tables updated in place (bot_status, admin_commands): one row per change, with the row as it was. Pruned to 24 h and 10,000 rows per channel by bot.realtime_prune; verification_log and admin_logs are read directly.';
comment on column nezuko.realtime_events.source_id is 'bot_status.bot_instance_id or admin_commands.id of the changed row.';
comment on column nezuko.realtime_events.data is 'The changed row as JSON, the shape the API returns.';
comment on column nezuko.realtime_events.txid is 'Writing transaction: events are ordered by (txid, kind, id) and delivered only once older transactions have finished.';

-- Replay and the relay read events after a cursor in (txid, id) order.
-- On the ingest tables the index grows at its right edge only (txids rise),
-- like the primary key.
create index verification_log_txid_idx on nezuko.verification_log (txid, id);
create index admin_logs_txid_idx on nezuko.admin_logs (txid, id);

create table nezuko.realtime_retention (
    channel       text primary key check (channel in ('bot_status', 'commands')),
    pruned_txid   xid8 not null,
    pruned_id     bigint not null,
    pruned_at     timestamptz not null default now()
);
comment on table nezuko.realtime_retention is 'Newest outbox event pruned per channel: a client resuming from an older cursor gets a reset event instead of a replay with holes.';
