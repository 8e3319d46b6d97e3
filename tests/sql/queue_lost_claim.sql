-- A claim commits asynchronously (bot.claim_commands): a PostgreSQL crash
-- can lose a claim whose worker already holds the command. The command is
-- then pending again, with the attempt number it had, and is claimed anew,
-- by another worker or by the same one, with the same attempt number and a
-- later started_at. Every call the old holder can still make names its
-- attempt by (worker, started_at) and changes nothing: only the new attempt
-- reaches Telegram and settles the command. The crash is simulated here:
-- the first claim's started_at is moved an hour back (one transaction has
-- one now()), and the row is put back as it was before that claim.
begin;
select plan(20);

insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
values (557, 'b', 'x', sha256('557'::bytea));
insert into nezuko.protected_groups (group_id, bot_instance_id)
values (-410, (select id from nezuko.bot_instances where bot_user_id = 557));
delete from nezuko.admin_commands;
insert into nezuko.admin_commands (command_type, payload) values
    ('send_message', '{"group_id": -410, "text": "once"}'),
    ('clear_cache', '{"all": true}'),
    ('prune_logs', '{}');

set local synchronous_commit = on;
create temporary table lost as
select c.id, c.command_type, c.attempts, c.started_at - interval '1 hour' as started_at
from bot.claim_commands('w', null, 10, 30) c;
select is(current_setting('synchronous_commit'), 'off', 'the claim commits asynchronously');
select is((select count(*)::int from lost), 3, 'three commands claimed');
update nezuko.admin_commands c set started_at = l.started_at from lost l where l.id = c.id;

-- The crash: the claim never reached the disk.
update nezuko.admin_commands
set status = 'pending', attempts = 0, lease_owner = null, lease_expires_at = null, started_at = null;
create temporary table again as select c.id, c.attempts, c.started_at from bot.claim_commands('w', null, 10, 30) c;
select is((select array_agg(a.attempts = l.attempts and a.started_at > l.started_at order by a.id)
           from again a join lost l using (id)), array[true, true, true],
    'claimed again by the same worker: the same attempt numbers, a later started_at');

select throws_ok(format('select bot.plan_command(%s, %L, %L)',
        (select id from lost where command_type = 'send_message'), 'w', (select started_at from lost where command_type = 'send_message')),
    '55000', null, 'the lost attempt gets no plan');
select throws_ok(format('select bot.plan_command(%s, %L, %L)',
        (select id from lost where command_type = 'send_message'), 'other', (select a.started_at from again a join lost l using (id) where l.command_type = 'send_message')),
    '55000', null, 'nor does another worker');
select is((select dispatched_at from nezuko.admin_commands where payload ->> 'text' = 'once'), null,
    'so the message is not marked dispatched');
select is(bot.fail_command(l.id, 'w', 'timeout', true, null, l.attempts, l.started_at), null,
    'the lost attempt cannot fail the command') from lost l where l.command_type = 'send_message';
select is((select count(*)::int from bot.complete_commands('w', (select jsonb_agg(jsonb_build_object(
        'id', l.id, 'attempt', l.attempts, 'started_at', l.started_at, 'result', '{}'::jsonb)) from lost l
        where l.command_type = 'send_message'))), 0,
    'nor complete it');
select is(bot.complete_command(l.id, 'w', '{}', l.started_at), null, 'nor complete it one by one')
from lost l where l.command_type = 'send_message';
select is(bot.execute_command(l.id, 'w', l.started_at), null, 'a command run in SQL is not run for the lost attempt')
from lost l where l.command_type = 'clear_cache';
select throws_ok(format('select bot.prune_logs_batch(%s, %L, %L)',
        (select id from lost where command_type = 'prune_logs'), 'w', (select started_at from lost where command_type = 'prune_logs')),
    '55000', null, 'prune_logs deletes nothing for the lost attempt');
select is(bot.finish_prune_logs(l.id, 'w', '{}', l.started_at), null, 'nor finishes it')
from lost l where l.command_type = 'prune_logs';
select is(array(select status from nezuko.admin_commands order by id), array['running', 'running', 'running'],
    'the new attempts still run');

-- The new attempt goes on as usual.
select is(current_setting('synchronous_commit'), 'off', 'still in the claim''s transaction: asynchronous');
select is((select count(*)::int from again a, bot.plan_command(a.id, 'w', a.started_at) p
           where p.bot_instance_id is not null and a.id = (select id from lost where command_type = 'send_message')), 1,
    'the new attempt gets its plan and bot');
select is(current_setting('synchronous_commit'), 'on',
    'handing out a plan makes its transaction commit synchronously (the claim''s flush with it)');
select is(bot.execute_command(a.id, 'w', a.started_at), 'completed', 'the new clear_cache attempt runs in SQL')
from again a join lost l using (id) where l.command_type = 'clear_cache';
select is((select count(*)::int from bot.complete_commands('w', (select jsonb_agg(jsonb_build_object(
        'id', a.id, 'attempt', a.attempts, 'started_at', a.started_at,
        'result', '{"calls": [{"method": "sendMessage", "ok": true}]}'::jsonb))
        from again a join lost l using (id) where l.command_type = 'send_message'))), 1,
    'the new attempt completes the message');
select is((select count(*)::int from bot.complete_commands('w', (select jsonb_agg(jsonb_build_object(
        'id', a.id, 'attempt', a.attempts, 'started_at', to_char(a.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        'result', '{}'::jsonb)) from again a join lost l using (id) where l.command_type = 'prune_logs'))), 1,
    'started_at as Go writes it in JSON (RFC 3339, UTC) names the attempt');
select is(array(select status from nezuko.admin_commands order by id), array['completed', 'completed', 'completed'],
    'each command settled once, by its new attempt');

select * from finish();
rollback;
