-- A heartbeat older than two intervals reads as offline through the API.
begin;
select plan(4);

update nezuko.admin_config set value = '30' where key = 'heartbeat_interval_seconds';
insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
values (42, 'live_bot', 'x', sha256('t1')), (43, 'stale_bot', 'y', sha256('t2'));
insert into nezuko.bot_status (bot_instance_id, status, last_heartbeat)
select id, 'online', case username when 'live_bot' then now() - interval '50 seconds' else now() - interval '61 seconds' end
from nezuko.bot_instances;

select is(bot.live_status('online', now() - interval '59 seconds'), 'online', 'a heartbeat under two intervals old is online');
select is(bot.live_status('degraded', now() - interval '61 seconds'), 'offline', 'a stale heartbeat is offline');
select is((select array_agg(i.status::text order by i.username) from api.list_bots() l, unnest(l.items) i),
    array['online', 'offline'], 'api.list_bots reports a stale bot as offline');
select is(bot.live_status('error', now() - interval '1 day'), 'error', 'an error status is kept as it is');

select * from finish();
rollback;
