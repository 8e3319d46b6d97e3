-- Retention covers the command queue's history: prune_logs deletes finished
-- admin_commands (completed, failed, cancelled, unknown) that finished more
-- than log_retention_days ago, in batches, and never a pending or running
-- one, whatever its age.
begin;
select plan(7);

delete from nezuko.admin_commands;
update nezuko.admin_config set value = '30' where key = 'log_retention_days';
update nezuko.admin_config set value = '100' where key = 'log_prune_batch_rows';

-- 250 old finished commands, of every finished status, and what must stay.
insert into nezuko.admin_commands (command_type, payload, status, created_at, finished_at)
select 'prune_logs', '{}', (array['completed', 'failed', 'cancelled', 'unknown'])[1 + g % 4],
       now() - interval '40 days', now() - interval '31 days' - g * interval '1 minute'
from generate_series(1, 250) g;
insert into nezuko.admin_commands (command_type, payload, status, created_at, finished_at) values
    ('prune_logs', '{}', 'completed', now() - interval '40 days', now() - interval '29 days'), -- inside retention
    ('prune_logs', '{}', 'failed', now() - interval '2 days', now() - interval '1 day');
insert into nezuko.admin_commands (command_type, payload, status, created_at, run_after) values
    ('prune_logs', '{}', 'pending', now() - interval '60 days', now() - interval '60 days');   -- old, never run
insert into nezuko.admin_commands (command_type, payload, status, created_at, started_at, lease_owner, lease_expires_at) values
    ('prune_logs', '{}', 'running', now() - interval '50 days', now(), 'w', now() + interval '1 minute');

create temp table kept as select id from nezuko.admin_commands
where status in ('pending', 'running') or finished_at >= now() - interval '30 days';
select is((select count(*)::int from kept), 4, 'four commands are pending, running or finished inside retention');

\set held '(select id from nezuko.admin_commands where status = ''running'')'
select is((select admin_commands from bot.prune_logs_batch(:held, 'w')), 100::bigint,
    'a batch deletes at most log_prune_batch_rows finished commands');
select is((select admin_commands from bot.prune_logs_batch(:held, 'w')), 100::bigint, 'second batch');
select is((select admin_commands from bot.prune_logs_batch(:held, 'w')), 50::bigint, 'third batch: the rest');
select is((select admin_commands from bot.prune_logs_batch(:held, 'w')), 0::bigint, 'then nothing is left to prune');
select set_eq('select id from nezuko.admin_commands', 'select id from kept',
    'pending and running commands stay whatever their age, finished ones inside retention stay');
select throws_ok($$select * from bot.prune_logs_batch((select id from nezuko.admin_commands where status = 'running'), 'other')$$,
    '55000', null, 'a worker that does not hold the command cannot prune');

select * from finish();
rollback;
