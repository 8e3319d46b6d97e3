-- The triggers code package: trigger functions (schema triggers) and every
-- CREATE TRIGGER on the tables.
--
-- Installed whole in one transaction by `nezuko migrate` when its content
-- changed. `drop schema triggers cascade` also drops every trigger that uses
-- one of its functions, so each trigger is created again below.
-- Each area has its own block, so independent changes do not collide.

drop schema if exists triggers cascade;
create schema triggers;
comment on schema triggers is 'Trigger functions: updated_at, audit, realtime doorbells, rollups. Installed from triggers/.';

-- Block: housekeeping.
{{ template "set_updated_at.sql" . }}
-- The one NOTIFY trigger function and the triggers that ring it (the
-- command queue's and the realtime relay's doorbells).
{{ template "doorbell.sql" . }}
-- End block: housekeeping.

-- Block: audit.
{{ template "audit/audit_change.sql" . }}
-- End block: audit.

-- Block: analytics rollups.
{{ template "analytics/verification_log_rollup.sql" . }}
{{ template "analytics/api_call_log_rollup.sql" . }}
{{ template "analytics/bot_alive_minutes.sql" . }}
-- End block: analytics rollups.

-- Block: command queue.
{{ template "validate_admin_command.sql" . }}
-- End block: command queue.

-- Block: realtime.
{{ template "realtime/realtime_bot_status.sql" . }}
{{ template "realtime/realtime_command.sql" . }}
-- End block: realtime.

-- Block: enforcement (bot).
{{ template "bot/release_disabled_group.sql" . }}
{{ template "bot/group_settings_defaults.sql" . }}
-- End block: enforcement (bot).

revoke execute on all functions in schema triggers from public;

insert into nezuko.code_packages (name, sha256) values ('triggers', '{{ .sha256 }}')
on conflict (name) do update set sha256 = excluded.sha256, installed_at = now();
