-- Admin API functions, request authentication and the audit triggers.
begin;
select plan(16);

select throws_ok($$select * from auth.begin_request('nzk_unknown', '127.0.0.1', 't')$$,
    '28000', 'invalid, expired or revoked token', 'begin_request refuses an unknown token with 28000');

insert into nezuko.protected_groups (group_id, title) values (-100, 'G');
select is((select count(*)::int from nezuko.admin_audit_log
           where resource_type = 'protected_groups' and action = 'insert' and resource_id = '-100'
             and admin_user_id is null and api_token_id is null and db_user = session_user),
    1, 'a direct insert is audited with no admin and the database user');

update nezuko.protected_groups set updated_at = now() - interval '1 day' where group_id = -100;
select is((select count(*)::int from nezuko.admin_audit_log where resource_type = 'protected_groups' and action = 'update'),
    0, 'an update of bookkeeping columns only is not audited');

select set_config('nezuko.admin_id', '7', true), set_config('nezuko.ip', '10.1.2.3', true),
       set_config('nezuko.user_agent', 'pgtap', true);
select lives_ok($$select api.update_group(-100, p_params => '{"mode": "both"}')$$, 'update_group merges valid params');
select is((select (admin_user_id, host(ip), user_agent, old_value->'params', new_value->'params')::text
           from nezuko.admin_audit_log where resource_type = 'protected_groups' and action = 'update'),
    '(7,10.1.2.3,pgtap,{},"{""mode"": ""both""}")', 'the audit row has the caller from settings and old and new values');

select throws_ok($$select api.update_group(-100, p_params => '{"colour": "red"}')$$,
    '22023', 'unknown group setting "colour"', 'an unknown group setting is a 22023 naming it');
select throws_ok($$select api.get_group(-999)$$, 'P0001', 'group -999 is not protected', 'an unknown group raises with the http:404 hint');

select throws_ok($$select api.update_config('heartbeat_interval_seconds', '"fast"')$$, '22023', null, 'a value of the wrong type is refused');
select throws_ok($$select api.update_config('heartbeat_interval_seconds', '0')$$, '22023', null, 'a value out of range is refused');
select is((api.update_config('heartbeat_interval_seconds', '45')).updated_by, 7::bigint, 'update_config records the admin');

select lives_ok($$select api.create_admin_user('ann@example.com', 'a long enough password', 'admin')$$, 'create_admin_user');
select ok((select password_hash like '$2a$10$%' and public.crypt('a long enough password', password_hash) = password_hash
           from nezuko.admin_users where email = 'ann@example.com'), 'the password is stored as a bcrypt hash');
select is((select count(*)::int from nezuko.admin_audit_log where resource_type = 'admin_users'
           and (new_value ? 'password_hash' or old_value ? 'password_hash')), 0, 'audit rows never hold the password hash');

select is((select role from auth.login('ANN@example.com', 'a long enough password')), 'admin', 'login is case-insensitive on the email and returns the role');

insert into nezuko.admin_commands (command_type, payload) values ('clear_cache', '{"all": true}');
select is((select count(*)::int from nezuko.admin_audit_log where resource_type = 'admin_commands'), 0,
    'the queue is not audited for changes outside the API (worker, SQL)');
select set_config('nezuko.token_id', '3', true);
insert into nezuko.admin_commands (command_type, payload) values ('clear_cache', '{"all": true}');
select is((select count(*)::int from nezuko.admin_audit_log where resource_type = 'admin_commands' and api_token_id = 3), 1,
    'a command enqueued through the API is audited');

select * from finish();
rollback;
