-- Realtime: the outbox triggers publish exactly the changes the streams
-- promise, events come out in key order, and pruning leaves a mark that
-- turns an old resume into a reset.
begin;
select plan(17);

insert into nezuko.bot_instances (id, bot_user_id, username, token_encrypted, token_sha256)
overriding system value values (901, 901, 'rt_bot', 'x', sha256('rt901'));

-- bot_status: insert and real changes publish, a rewrite of the same values does not.
insert into nezuko.bot_status (bot_instance_id, status) values (901, 'starting');
update nezuko.bot_status set status = 'online' where bot_instance_id = 901;
update nezuko.bot_status set status = 'online' where bot_instance_id = 901;
select is((select count(*) from nezuko.realtime_events where channel = 'bot_status' and txid = pg_current_xact_id()), 2::bigint,
    'bot_status: insert and one change publish two status_changed events, a no-op update none');
select is((select data->>'status' from nezuko.realtime_events where channel = 'bot_status' order by id desc limit 1), 'online',
    'status_changed carries the row as it is after the change');

-- admin_commands: creation and status changes publish, other updates do not.
insert into nezuko.admin_commands (id, command_type, payload) overriding system value values (7001, 'clear_cache', '{"all": true}');
update nezuko.admin_commands set attempts = 2 where id = 7001;
update nezuko.admin_commands set status = 'cancelled', cancelled_at = now(), finished_at = now() where id = 7001;
select is((select array_agg(to_jsonb(command)->>'status' order by id) from nezuko.realtime_events where channel = 'commands' and txid = pg_current_xact_id()),
    array['pending', 'cancelled'], 'commands: created and cancelled publish; an attempts bump does not');
-- The outbox stores a command as a row; the event renders it as the JSON of
-- the row as it was (the creation's event still says pending, attempts 0).
select is((select array_agg(data order by id) from bot.realtime_events(pg_current_xact_id(), 0, 0, array['commands'], 100)),
    array[(select to_jsonb(c) || '{"status": "pending", "attempts": 0, "cancelled_at": null, "finished_at": null}'
           from nezuko.admin_commands c where id = 7001),
          (select to_jsonb(c) from nezuko.admin_commands c where id = 7001)],
    'commands: each event renders the row as it was, every column');
select is((select count(*) from nezuko.realtime_events where channel = 'commands' and txid = pg_current_xact_id() and data is null), 2::bigint,
    'commands: the outbox stores the row, not its JSON');
-- Events written as JSON before migration 012 still read as they were.
insert into nezuko.realtime_events (channel, kind, source_id, data)
values ('commands', 'command_updated', 7001, '{"id": 7001, "status": "running", "old": true}');
select is((select data from bot.realtime_events(pg_current_xact_id(), 0, 0, array['commands'], 100) order by id desc limit 1),
    '{"id": 7001, "status": "running", "old": true}'::jsonb, 'commands: an event stored as JSON reads as stored');
delete from nezuko.realtime_events where data ->> 'old' = 'true';

-- A multi-row statement publishes one event per row.
insert into nezuko.admin_commands (command_type, payload) select 'clear_cache', '{"all": true}' from generate_series(1, 3);
select is((select count(*) from nezuko.realtime_events where channel = 'commands' and txid = pg_current_xact_id()), 5::bigint,
    'a 3-row insert publishes three command_updated events');

-- The log tables are read directly; DEBUG logs are not events. (Reads
-- start at this transaction, so rows already in the database do not count.)
insert into nezuko.verification_log (user_id, status) values (1, 'verified'), (2, 'error');
insert into nezuko.admin_logs (level, message) values ('DEBUG', 'no'), ('CRITICAL', 'yes');
select is((select count(*) from bot.realtime_events(pg_current_xact_id(), 0, 0, array['dashboard'], 100)), 2::bigint,
    'dashboard: every verification_log row');
select is((select array_agg(data->>'message') from bot.realtime_events(pg_current_xact_id(), 0, 0, array['logs'], 100)), array['yes'],
    'logs: INFO and above only');
select is((select count(*) from bot.realtime_events(pg_current_xact_id(), 0, 0, array['dashboard', 'bot_status', 'commands', 'logs'], 100)), 10::bigint,
    'all channels together');
select ok(not exists (
    select from (select txid, kind_no, id, lag(txid) over w as pt, lag(kind_no) over w as pk, lag(id) over w as pi
                 from bot.realtime_events(pg_current_xact_id(), 0, 0, array['dashboard', 'bot_status', 'commands', 'logs'], 100)
                 window w as (order by txid, kind_no, id)) e
    where e.pt is not null and (e.txid, e.kind_no, e.id) <= (e.pt, e.pk, e.pi)),
    'events come out in strictly increasing (txid, kind_no, id) order');
select is((select count(*) from bot.realtime_events(pg_current_xact_id(), 0, 0, array['dashboard'], 1)), 1::bigint, 'the limit holds');
-- Everything here was written by this very transaction, still in flight.
select ok((select bool_and(not ready) from bot.realtime_events(pg_current_xact_id(), 0, 0, array['dashboard', 'logs'], 100)),
    'events of a transaction still running are not ready');
select is((select count(*) from bot.realtime_events(pg_current_xact_id(), 1, (select min(id) from nezuko.verification_log where txid = pg_current_xact_id()), array['dashboard'], 100,
                                                    pg_current_xact_id(), 1, (select max(id) from nezuko.verification_log where txid = pg_current_xact_id()))), 1::bigint,
    'the until bound is inclusive and the after bound exclusive');

-- Pruning to 2 per channel removes the oldest and marks it.
select is(bot.realtime_prune(interval '24 hours', 2), 3::bigint, 'prune keeps the newest 2 per channel (3 of 5 commands, none of 2 statuses)');
select ok(not bot.realtime_replay_allowed('0', 0, 0, array['commands']), 'a cursor before the pruned events cannot be replayed');
select ok(bot.realtime_replay_allowed('0', 0, 0, array['dashboard', 'logs']), 'channels read from the logs are not affected by the outbox prune');

select * from finish();
rollback;
