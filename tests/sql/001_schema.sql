-- The data model: tables, roles and the constraints that keep bad states out.
begin;
select plan(26);

select has_table('nezuko', t, 'seed table nezuko.' || t || ' exists')
from unnest(array['owners', 'bot_instances', 'protected_groups', 'enforced_channels',
    'group_channel_links', 'admin_users', 'admin_config', 'bot_status', 'admin_commands',
    'verification_log', 'api_call_log', 'admin_logs', 'admin_audit_log']) as t;

select has_role(r) from unnest(array['nezuko_viewer', 'nezuko_admin', 'nezuko_bridge']) as r;

-- The log tables keep the seed's column names, with bigint ids.
select columns_are('nezuko', 'verification_log',
    array['id', 'user_id', 'group_id', 'channel_id', 'status', 'latency_ms', 'cached', 'error_type', 'timestamp', 'txid'],
    'verification_log keeps the seed''s columns');
select col_type_is('nezuko', 'api_call_log', 'chat_id', 'bigint', 'api_call_log.chat_id is bigint');

select throws_ok(
    $$insert into nezuko.protected_groups (group_id, params) values (-100, '{"colour": "red"}')$$,
    '22023', 'unknown group setting "colour"', 'an unknown group setting is refused with 22023');
select throws_ok(
    $$insert into nezuko.protected_groups (group_id, params) values (-100, '{"mute_duration_seconds": 10}')$$,
    '22023', null, 'a mute shorter than Telegram allows is refused');
select lives_ok(
    $$insert into nezuko.protected_groups (group_id, params)
      values (-100, '{"mode": "both", "fail_mode": "closed", "whitelist": [1, 2], "mute_duration_seconds": 0}')$$,
    'valid group settings are accepted');
select throws_ok(
    $$insert into nezuko.admin_config (key, value, value_type, min_value, description) values ('n', '-1', 'integer', 0, 'd')$$,
    '23514', null, 'admin_config refuses a value under its minimum');
select throws_ok(
    $$update nezuko.admin_config set value = '"soon"' where key = 'heartbeat_interval_seconds'$$,
    '23514', null, 'admin_config refuses a value of the wrong type');
select throws_ok(
    $$insert into nezuko.admin_commands (command_type, payload, status) values ('clear_cache', '{"all": true}', 'running')$$,
    '23514', null, 'a running command must hold a lease');
select throws_ok(
    $$insert into nezuko.verification_log (user_id, status, latency_ms) values (1, 'verified', -5)$$,
    '23514', null, 'negative latency is refused');

-- Log tables have no foreign keys: a log row may mention a group that is gone.
select lives_ok(
    $$insert into nezuko.verification_log (user_id, group_id, channel_id, status) values (1, -999, -998, 'error')$$,
    'a log row may name an unknown group');

select * from finish();
rollback;
