-- Issue 18: a command_updated event stores the admin_commands row as a row
-- (column command, of the table's own row type) instead of its JSON; the
-- JSON is rendered when the event is read (bot.realtime_events), as the
-- verification and new_log events already are.
--
-- Every command writes three command_updated events (its INSERT, the claim,
-- the completion) on the queue's hot path. to_jsonb of the row is about
-- 600 bytes against about 150 for the row itself, and writing it (the
-- rendering, then four times the bytes in the heap) cost about 8 µs per
-- event against 3 µs for the row (10,240 claims in batches of 256, three
-- interleaved runs, backend CPU from /proc/self/stat). An event is written
-- once and read once by the relay (more only on a replay), and most are
-- never read at all when nobody is watching.
--
-- A stored row keeps the columns the table had when it was written: a
-- column added to admin_commands later reads as null in older events, a
-- dropped one disappears from them. PostgreSQL refuses ALTER COLUMN ... TYPE
-- on admin_commands while this column uses its row type: such a migration
-- must render the stored rows first (update ... set data = to_jsonb(command),
-- command = null) and drop or retype this column.
--
-- data stays for the bot_status events (status_changed) and for the
-- command_updated events written before this migration; exactly one of the
-- two is set.

alter table nezuko.realtime_events add column command nezuko.admin_commands;
alter table nezuko.realtime_events alter column data drop not null;
alter table nezuko.realtime_events add constraint realtime_events_one_payload
    check (num_nonnulls(data, command) = 1);
comment on column nezuko.realtime_events.data is
    'The changed row as JSON, the shape the API returns (status_changed events, and command_updated events written before migration 012); null when command is set.';
comment on column nezuko.realtime_events.command is
    'command_updated: the admin_commands row as it was, rendered as JSON when read (bot.realtime_events); null when data is set.';
