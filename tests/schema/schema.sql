--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: nezuko; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA nezuko;

--
-- Name: SCHEMA nezuko; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA nezuko IS 'All Nezuko tables. Managed by numbered migrations in sql/ (append-only).';

--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;

--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';

--
-- Name: check_choice(text, text[], text); Type: FUNCTION; Schema: nezuko; Owner: -
--

CREATE FUNCTION nezuko.check_choice(p_value text, p_allowed text[], p_what text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
begin
    if p_value is null or p_value = any (p_allowed) then
        return true;
    end if;
    raise exception '% must be one of % (got %)', p_what, array_to_string(p_allowed, ', '), quote_literal(p_value)
        using errcode = '22023';
end
$$;

--
-- Name: FUNCTION check_choice(p_value text, p_allowed text[], p_what text); Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON FUNCTION nezuko.check_choice(p_value text, p_allowed text[], p_what text) IS 'CHECK of the choice domains: true when p_value is null or one of p_allowed, else raises 22023 naming p_what and the allowed values.';

--
-- Name: log_level; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.log_level AS text
	CONSTRAINT log_level_check CHECK (nezuko.check_choice(VALUE, ARRAY['DEBUG'::text, 'INFO'::text, 'WARNING'::text, 'ERROR'::text, 'CRITICAL'::text], 'level'::text));

--
-- Name: DOMAIN log_level; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.log_level IS 'Severity of an application log record, lowest first.';

--
-- Name: role; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.role AS text
	CONSTRAINT role_check CHECK (nezuko.check_choice(VALUE, ARRAY['viewer'::text, 'admin'::text], 'role'::text));

--
-- Name: DOMAIN role; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.role IS 'An API role: viewer (reads) or admin (reads and changes).';

--
-- Name: bot_state; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.bot_state AS text
	CONSTRAINT bot_state_check CHECK (nezuko.check_choice(VALUE, ARRAY['starting'::text, 'online'::text, 'degraded'::text, 'offline'::text, 'error'::text], 'status'::text));

--
-- Name: DOMAIN bot_state; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.bot_state IS 'A bot''s live status (offline when its heartbeat is older than two intervals).';

--
-- Name: update_mode; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.update_mode AS text
	CONSTRAINT update_mode_check CHECK (nezuko.check_choice(VALUE, ARRAY['polling'::text, 'webhook'::text], 'update_mode'::text));

--
-- Name: DOMAIN update_mode; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.update_mode IS 'How a bot receives updates: long polling or webhook.';

--
-- Name: value_type; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.value_type AS text
	CONSTRAINT value_type_check CHECK (nezuko.check_choice(VALUE, ARRAY['integer'::text, 'number'::text, 'boolean'::text, 'string'::text], 'value_type'::text));

--
-- Name: DOMAIN value_type; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.value_type IS 'Type of a setting''s JSON value.';

--
-- Name: health; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.health AS text
	CONSTRAINT health_check CHECK (nezuko.check_choice(VALUE, ARRAY['ok'::text, 'warning'::text, 'error'::text], 'health'::text));

--
-- Name: DOMAIN health; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.health IS 'ok, or warning/error with a health_reason.';

--
-- Name: check_range(bigint, bigint, bigint, text); Type: FUNCTION; Schema: nezuko; Owner: -
--

CREATE FUNCTION nezuko.check_range(p_value bigint, p_min bigint, p_max bigint, p_what text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
begin
    if p_value is null or p_value between p_min and p_max then
        return true;
    end if;
    raise exception '% must be between % and % (got %)', p_what, p_min, p_max, p_value using errcode = '22023';
end
$$;

--
-- Name: FUNCTION check_range(p_value bigint, p_min bigint, p_max bigint, p_what text); Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON FUNCTION nezuko.check_range(p_value bigint, p_min bigint, p_max bigint, p_what text) IS 'CHECK of the bounded integer domains: true when p_value is null or within [p_min, p_max], else raises 22023 naming p_what and the bounds.';

--
-- Name: command_page_limit; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.command_page_limit AS integer
	CONSTRAINT command_page_limit_check CHECK (nezuko.check_range((VALUE)::bigint, (1)::bigint, (1000)::bigint, 'p_limit'::text));

--
-- Name: DOMAIN command_page_limit; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.command_page_limit IS 'How many commands a page of api.list_commands holds: 1 to 1000.';

--
-- Name: command_status; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.command_status AS text
	CONSTRAINT command_status_check CHECK (nezuko.check_choice(VALUE, ARRAY['pending'::text, 'running'::text, 'completed'::text, 'failed'::text, 'cancelled'::text, 'unknown'::text], 'status'::text));

--
-- Name: DOMAIN command_status; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.command_status IS 'State of an admin command in the queue (unknown: a command that may not repeat was interrupted after it reached Telegram).';

--
-- Name: day_or_week; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.day_or_week AS text
	CONSTRAINT day_or_week_check CHECK (nezuko.check_choice(VALUE, ARRAY['day'::text, 'week'::text], 'p_granularity'::text));

--
-- Name: DOMAIN day_or_week; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.day_or_week IS 'A bucket size of a daily or weekly series: day or week (weeks start on Monday).';

--
-- Name: granularity; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.granularity AS text
	CONSTRAINT granularity_check CHECK (nezuko.check_choice(VALUE, ARRAY['hour'::text, 'day'::text, 'week'::text], 'p_granularity'::text));

--
-- Name: DOMAIN granularity; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.granularity IS 'A bucket size of a time series: hour, day or week (weeks start on Monday).';

--
-- Name: page_limit; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.page_limit AS integer
	CONSTRAINT page_limit_check CHECK (nezuko.check_range((VALUE)::bigint, (1)::bigint, (500)::bigint, 'p_limit'::text));

--
-- Name: DOMAIN page_limit; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.page_limit IS 'How many items a page of a list holds: 1 to 500.';

--
-- Name: page_offset; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.page_offset AS integer
	CONSTRAINT page_offset_check CHECK (nezuko.check_range((VALUE)::bigint, (0)::bigint, (2147483647)::bigint, 'p_offset'::text));

--
-- Name: DOMAIN page_offset; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.page_offset IS 'How many items of a list to skip: 0 or more.';

--
-- Name: percent; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.percent AS numeric
	CONSTRAINT percent_check CHECK (((VALUE >= (0)::numeric) AND (VALUE <= (100)::numeric)));

--
-- Name: DOMAIN percent; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.percent IS 'A percentage, 0-100.';

--
-- Name: period; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.period AS text
	CONSTRAINT period_check CHECK (nezuko.check_choice(VALUE, ARRAY['24h'::text, '7d'::text, '30d'::text, '90d'::text], 'p_period'::text));

--
-- Name: DOMAIN period; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.period IS 'An analytics window ending now: 24h, 7d, 30d or 90d.';

--
-- Name: top_limit; Type: DOMAIN; Schema: nezuko; Owner: -
--

CREATE DOMAIN nezuko.top_limit AS integer
	CONSTRAINT top_limit_check CHECK (nezuko.check_range((VALUE)::bigint, (1)::bigint, (100)::bigint, 'p_limit'::text));

--
-- Name: DOMAIN top_limit; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON DOMAIN nezuko.top_limit IS 'How many entries of a top-N list: 1 to 100.';

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: admin_commands; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.admin_commands (
    id bigint NOT NULL,
    command_type text NOT NULL,
    bot_instance_id bigint,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 5 NOT NULL,
    run_after timestamp with time zone DEFAULT now() NOT NULL,
    lease_owner text,
    lease_expires_at timestamp with time zone,
    result jsonb,
    error text,
    idempotency_key text,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    cancelled_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    dispatched_at timestamp with time zone,
    CONSTRAINT admin_commands_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT admin_commands_idempotency_key_check CHECK (((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 200))),
    CONSTRAINT admin_commands_max_attempts_check CHECK (((max_attempts >= 1) AND (max_attempts <= 100))),
    CONSTRAINT admin_commands_payload_check CHECK ((jsonb_typeof(payload) = 'object'::text)),
    CONSTRAINT admin_commands_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'completed'::text, 'failed'::text, 'cancelled'::text, 'unknown'::text]))),
    CONSTRAINT finished_has_time CHECK (((status <> ALL (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text, 'unknown'::text])) OR (finished_at IS NOT NULL))),
    CONSTRAINT running_has_lease CHECK (((status <> 'running'::text) OR ((lease_owner IS NOT NULL) AND (lease_expires_at IS NOT NULL))))
);

--
-- Name: TABLE admin_commands; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.admin_commands IS 'Durable dashboard-to-bot command queue. Claimed with FOR UPDATE SKIP LOCKED under a lease; every transition is a SQL function.';

--
-- Name: COLUMN admin_commands.bot_instance_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_commands.bot_instance_id IS 'The bot that must execute it; null for commands that need no bot or may use any.';

--
-- Name: COLUMN admin_commands.status; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_commands.status IS 'pending -> running -> completed | failed (or back to pending for a retry); cancelled while pending; unknown: an attempt of a command that may not repeat was handed to Telegram and its worker never reported what happened (see command_types.repeatable). The worker that made the attempt may still settle it.';

--
-- Name: COLUMN admin_commands.run_after; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_commands.run_after IS 'Not claimed before this time (retry backoff).';

--
-- Name: COLUMN admin_commands.lease_owner; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_commands.lease_owner IS 'Worker holding the command while running.';

--
-- Name: COLUMN admin_commands.lease_expires_at; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_commands.lease_expires_at IS 'After this a crashed worker''s command is rescued back to pending.';

--
-- Name: COLUMN admin_commands.idempotency_key; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_commands.idempotency_key IS 'Optional; unique among pending and running commands.';

--
-- Name: COLUMN admin_commands.created_by; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_commands.created_by IS 'admin_users.id of the requester, when enqueued through the API.';

--
-- Name: COLUMN admin_commands.dispatched_at; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_commands.dispatched_at IS 'When the running attempt was handed to Telegram (bot.plan_command sets it, committed before any Bot API call); null while the attempt has not reached Telegram, so a rescue may re-run it whatever its type.';

--
-- Name: check_group_params(jsonb); Type: FUNCTION; Schema: nezuko; Owner: -
--

CREATE FUNCTION nezuko.check_group_params(p jsonb) RETURNS boolean
    LANGUAGE plpgsql STABLE
    AS $$
declare
    k text;
    v jsonb;
    v_problem jsonb;
    v_msg text;
    a record;
begin
    if jsonb_typeof(p) is distinct from 'object' then
        raise exception 'group params must be a JSON object' using errcode = '22023';
    end if;
    for k, v in select * from jsonb_each(p) loop
        v_problem := nezuko.group_setting_problem(k, v);
        continue when v_problem is null;
        if v_problem->>'key' = 'settings.unknown' then
            raise exception 'unknown group setting "%"', k
                using errcode = '22023', hint = 'allowed settings: ' || (v_problem->'args'->>'names');
        end if;
        select body into v_msg from nezuko.bot_texts where key = v_problem->>'key' and language = 'en';
        for a in select * from jsonb_each_text(v_problem->'args') loop
            v_msg := replace(v_msg, '{' || a.key || '}', coalesce(a.value, ''));
        end loop;
        raise exception '%', replace(replace(v_msg, '&lt;', '<'), '&gt;', '>') using errcode = '22023';
    end loop;
    return true;
end
$$;

--
-- Name: FUNCTION check_group_params(p jsonb); Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON FUNCTION nezuko.check_group_params(p jsonb) IS 'Validates protected_groups.params against the registry nezuko.group_settings (used by its CHECK constraint); raises 22023 naming the bad setting.';

--
-- Name: protected_groups; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.protected_groups (
    group_id bigint NOT NULL,
    bot_instance_id bigint,
    owner_id bigint,
    title text,
    username text,
    enabled boolean DEFAULT true NOT NULL,
    params jsonb DEFAULT '{}'::jsonb NOT NULL,
    member_count integer,
    bot_rights jsonb,
    health text DEFAULT 'ok'::text NOT NULL,
    health_reason text,
    last_synced_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    default_permissions jsonb,
    default_permissions_at timestamp with time zone,
    linked_chat_id bigint,
    linked_chat_checked_at timestamp with time zone,
    CONSTRAINT health_reason_when_unhealthy CHECK (((health = 'ok'::text) OR (health_reason IS NOT NULL))),
    CONSTRAINT protected_groups_health_check CHECK ((health = ANY (ARRAY['ok'::text, 'warning'::text, 'error'::text]))),
    CONSTRAINT protected_groups_member_count_check CHECK ((member_count >= 0)),
    CONSTRAINT protected_groups_params_check CHECK (nezuko.check_group_params(params))
);

--
-- Name: TABLE protected_groups; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.protected_groups IS 'Telegram groups whose members must be subscribed to every linked enforced channel before they may speak.';

--
-- Name: COLUMN protected_groups.group_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.protected_groups.group_id IS 'Telegram chat id (negative for groups, -100... for supergroups).';

--
-- Name: COLUMN protected_groups.bot_instance_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.protected_groups.bot_instance_id IS 'The bot that protects this group.';

--
-- Name: COLUMN protected_groups.enabled; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.protected_groups.enabled IS 'A disabled group enforces nothing.';

--
-- Name: COLUMN protected_groups.params; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.protected_groups.params IS 'Per-group settings over the defaults of nezuko.group_settings (mode, language, mute_duration_seconds, verify_on_join, join_request_gating, fail_mode, sender_chat_action, prompt_text, auto_delete_seconds, whitelist). Validated by nezuko.check_group_params.';

--
-- Name: COLUMN protected_groups.bot_rights; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.protected_groups.bot_rights IS 'The bot''s administrator rights in the group as last seen (getChatMember on itself).';

--
-- Name: COLUMN protected_groups.health; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.protected_groups.health IS 'ok, or warning/error with health_reason, e.g. the bot is not an admin of a linked channel and cannot check it.';

--
-- Name: COLUMN protected_groups.default_permissions; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.protected_groups.default_permissions IS 'The group''s default member permissions (getChat .permissions) as last fetched; an unmute restores exactly these, never "everything allowed".';

--
-- Name: COLUMN protected_groups.default_permissions_at; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.protected_groups.default_permissions_at IS 'When default_permissions was fetched; older than group_permissions_ttl_seconds means fetch again before an unmute.';

--
-- Name: COLUMN protected_groups.linked_chat_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.protected_groups.linked_chat_id IS 'The channel linked to this group for discussion (getChat .linked_chat_id), whose posts appear here and are never gated; null: none.';

--
-- Name: COLUMN protected_groups.linked_chat_checked_at; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.protected_groups.linked_chat_checked_at IS 'When linked_chat_id was read from getChat; null or older than a day: read again before gating a message sent as a chat.';

--
-- Name: group_setting_problem(text, jsonb); Type: FUNCTION; Schema: nezuko; Owner: -
--

CREATE FUNCTION nezuko.group_setting_problem(p_name text, p_value jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $_$
declare
    s nezuko.group_settings;
    v_langs text[];
begin
    select * into s from nezuko.group_settings where name = p_name;
    if not found then
        return jsonb_build_object('key', 'settings.unknown', 'args', jsonb_build_object('name', p_name,
            'names', (select string_agg(name, ', ' order by position) from nezuko.group_settings)));
    end if;
    case s.value_type
    when 'enum' then
        if jsonb_typeof(p_value) = 'string' and p_value #>> '{}' = any (s.allowed_values) then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.one_of', 'args',
            jsonb_build_object('name', p_name, 'values', array_to_string(s.allowed_values, ', ')));
    when 'language' then
        v_langs := nezuko.text_languages();
        if jsonb_typeof(p_value) = 'string' and p_value #>> '{}' = any (v_langs) then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.one_of', 'args',
            jsonb_build_object('name', p_name, 'values', array_to_string(v_langs, ', ')));
    when 'boolean' then
        if jsonb_typeof(p_value) = 'boolean' then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.on_off', 'args', jsonb_build_object('name', p_name));
    when 'integer' then
        if jsonb_typeof(p_value) = 'number' and (p_value #>> '{}')::numeric = trunc((p_value #>> '{}')::numeric)
           and ((p_value #>> '{}')::numeric between coalesce(s.min_value, -9223372036854775808) and coalesce(s.max_value, 9223372036854775807)
                or p_value #>> '{}' = any (coalesce(s.allowed_values, '{}'))) then
            return null;
        end if;
        if cardinality(s.allowed_values) > 0 then
            return jsonb_build_object('key', 'settings.number_or', 'args', jsonb_build_object('name', p_name,
                'values', array_to_string(s.allowed_values, ', '), 'min', s.min_value, 'max', s.max_value));
        end if;
        return jsonb_build_object('key', 'settings.number', 'args',
            jsonb_build_object('name', p_name, 'min', s.min_value, 'max', s.max_value));
    when 'text' then
        if jsonb_typeof(p_value) = 'string'
           and length(p_value #>> '{}') between coalesce(s.min_value, 0) and coalesce(s.max_value, 4096) then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.text_length', 'args',
            jsonb_build_object('name', p_name, 'min', coalesce(s.min_value, 0), 'max', coalesce(s.max_value, 4096)));
    when 'id_list' then
        if jsonb_typeof(p_value) = 'array' and not exists (
                select from jsonb_array_elements(p_value) e
                where jsonb_typeof(e) <> 'number' or e::text !~ '^-?[0-9]{1,19}$') then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.id_list', 'args', jsonb_build_object('name', p_name));
    end case;
end
$_$;

--
-- Name: FUNCTION group_setting_problem(p_name text, p_value jsonb); Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON FUNCTION nezuko.group_setting_problem(p_name text, p_value jsonb) IS 'Checks one group setting against the registry (nezuko.group_settings): null when valid, else {key, args} naming the problem as a bot_texts key.';

--
-- Name: text_languages(); Type: FUNCTION; Schema: nezuko; Owner: -
--

CREATE FUNCTION nezuko.text_languages() RETURNS text[]
    LANGUAGE sql STABLE
    AS $$
    select coalesce(array_agg(l.language order by l.language <> 'en', l.language), '{en}')
    from (select distinct language from nezuko.bot_texts) l
    where not exists (select from nezuko.bot_texts e
                      where e.language = 'en'
                        and not exists (select from nezuko.bot_texts t where t.key = e.key and t.language = l.language))
$$;

--
-- Name: FUNCTION text_languages(); Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON FUNCTION nezuko.text_languages() IS 'Languages with a complete text set (every key of English), English first. Lives in schema nezuko because the group settings validator (a CHECK) uses it.';

--
-- Name: admin_audit_log; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.admin_audit_log (
    id bigint NOT NULL,
    admin_user_id bigint,
    api_token_id bigint,
    db_user text DEFAULT CURRENT_USER NOT NULL,
    action text NOT NULL,
    resource_type text NOT NULL,
    resource_id text,
    old_value jsonb,
    new_value jsonb,
    ip inet,
    user_agent text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT admin_audit_log_action_check CHECK ((action = ANY (ARRAY['insert'::text, 'update'::text, 'delete'::text])))
);

--
-- Name: TABLE admin_audit_log; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.admin_audit_log IS 'Every insert, update and delete of configuration made through the API or by hand, written by triggers.';

--
-- Name: COLUMN admin_audit_log.admin_user_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_audit_log.admin_user_id IS 'The admin behind an API request (setting nezuko.admin_id); null for a direct SQL change.';

--
-- Name: COLUMN admin_audit_log.db_user; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_audit_log.db_user IS 'The database role that made the change (session_user for direct SQL).';

--
-- Name: COLUMN admin_audit_log.resource_type; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_audit_log.resource_type IS 'The table changed, e.g. protected_groups.';

--
-- Name: COLUMN admin_audit_log.old_value; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_audit_log.old_value IS 'The row before the change (null for insert). Secret columns are removed.';

--
-- Name: admin_audit_log_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.admin_audit_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.admin_audit_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: admin_commands_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.admin_commands ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.admin_commands_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: admin_config; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.admin_config (
    key text NOT NULL,
    value jsonb NOT NULL,
    value_type text NOT NULL,
    min_value numeric,
    max_value numeric,
    description text NOT NULL,
    updated_by bigint,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT admin_config_key_check CHECK ((key ~ '^[a-z][a-z0-9_]*$'::text)),
    CONSTRAINT admin_config_value_type_check CHECK ((value_type = ANY (ARRAY['integer'::text, 'number'::text, 'boolean'::text, 'string'::text]))),
    CONSTRAINT value_in_range CHECK (((jsonb_typeof(value) <> 'number'::text) OR (((min_value IS NULL) OR (((value)::text)::numeric >= min_value)) AND ((max_value IS NULL) OR (((value)::text)::numeric <= max_value))))),
    CONSTRAINT value_matches_type CHECK (
CASE value_type
    WHEN 'integer'::text THEN ((jsonb_typeof(value) = 'number'::text) AND (((value)::text)::numeric = trunc(((value)::text)::numeric)))
    WHEN 'number'::text THEN (jsonb_typeof(value) = 'number'::text)
    WHEN 'boolean'::text THEN (jsonb_typeof(value) = 'boolean'::text)
    WHEN 'string'::text THEN (jsonb_typeof(value) = 'string'::text)
    ELSE NULL::boolean
END)
);

--
-- Name: TABLE admin_config; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.admin_config IS 'Typed system settings (cache TTLs, heartbeat interval, rate limits, ...). The type and range of each value are enforced here.';

--
-- Name: COLUMN admin_config.updated_by; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_config.updated_by IS 'admin_users.id of the last API change; null for changes made in SQL.';

--
-- Name: admin_logs; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.admin_logs (
    id bigint NOT NULL,
    level text NOT NULL,
    logger text DEFAULT 'nezuko'::text NOT NULL,
    message text NOT NULL,
    source_file text,
    source_function text,
    source_line integer,
    attributes jsonb DEFAULT '{}'::jsonb NOT NULL,
    bot_instance_id bigint,
    instance text,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    txid xid8 DEFAULT pg_current_xact_id() NOT NULL,
    CONSTRAINT admin_logs_attributes_check CHECK ((jsonb_typeof(attributes) = 'object'::text)),
    CONSTRAINT admin_logs_level_check CHECK ((level = ANY (ARRAY['DEBUG'::text, 'INFO'::text, 'WARNING'::text, 'ERROR'::text, 'CRITICAL'::text])))
);

--
-- Name: TABLE admin_logs; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.admin_logs IS 'Application logs of the bridge (INFO and above), written asynchronously in batches; readable from the dashboard.';

--
-- Name: COLUMN admin_logs.attributes; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_logs.attributes IS 'The structured attributes of the slog record.';

--
-- Name: COLUMN admin_logs.instance; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_logs.instance IS 'Which nezuko process wrote it (host:pid).';

--
-- Name: COLUMN admin_logs.txid; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_logs.txid IS 'Writing transaction, for gap-free realtime replay (see verification_log.txid).';

--
-- Name: admin_logs_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.admin_logs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.admin_logs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: admin_users; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.admin_users (
    id bigint NOT NULL,
    email text NOT NULL,
    password_hash text NOT NULL,
    full_name text,
    role text DEFAULT 'viewer'::text NOT NULL,
    telegram_user_id bigint,
    is_active boolean DEFAULT true NOT NULL,
    last_login_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT admin_users_email_check CHECK (((email ~ '^[^@\s]+@[^@\s]+$'::text) AND (length(email) <= 254))),
    CONSTRAINT admin_users_role_check CHECK ((role = ANY (ARRAY['viewer'::text, 'admin'::text])))
);

--
-- Name: TABLE admin_users; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.admin_users IS 'Dashboard accounts. Login checks the password in SQL with pgcrypto crypt().';

--
-- Name: COLUMN admin_users.password_hash; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_users.password_hash IS 'bcrypt hash (pgcrypto crypt(pw, gen_salt(''bf''))). Never returned by any API.';

--
-- Name: COLUMN admin_users.role; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.admin_users.role IS 'viewer (read-only API) or admin (may call mutations); maps to PostgreSQL roles nezuko_viewer / nezuko_admin.';

--
-- Name: admin_users_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.admin_users ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.admin_users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: api_call_hourly; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.api_call_hourly (
    hour timestamp with time zone NOT NULL,
    chat_id bigint,
    method text NOT NULL,
    success boolean NOT NULL,
    n bigint NOT NULL,
    latency_sum bigint NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE api_call_hourly; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.api_call_hourly IS 'Rollup of api_call_log per UTC hour, chat, method and success. Only group and channel chats (negative ids) are kept apart; calls into private chats (positive ids, one per user) are folded into chat_id null, so the table stays small.';

--
-- Name: api_call_hourly_all; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.api_call_hourly_all (
    hour timestamp with time zone NOT NULL,
    method text NOT NULL,
    success boolean NOT NULL,
    n bigint NOT NULL,
    latency_sum bigint NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE api_call_hourly_all; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.api_call_hourly_all IS 'api_call_hourly summed over all chats.';

--
-- Name: api_call_log; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.api_call_log (
    id bigint NOT NULL,
    method text NOT NULL,
    chat_id bigint,
    user_id bigint,
    success boolean NOT NULL,
    latency_ms integer DEFAULT 0 NOT NULL,
    error_type text,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT api_call_log_latency_ms_check CHECK ((latency_ms >= 0))
);

--
-- Name: TABLE api_call_log; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.api_call_log IS 'One row per Telegram Bot API call the bots made. Written in batches off the hot path.';

--
-- Name: COLUMN api_call_log.method; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.api_call_log.method IS 'Bot API method, e.g. getChatMember, restrictChatMember, sendMessage.';

--
-- Name: COLUMN api_call_log.error_type; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.api_call_log.error_type IS 'For failed calls: too_many_requests, bot_kicked, not_enough_rights, chat_not_found, network, ...';

--
-- Name: api_call_log_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.api_call_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.api_call_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: api_tokens; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.api_tokens (
    id bigint NOT NULL,
    name text NOT NULL,
    token_sha256 bytea NOT NULL,
    token_prefix text NOT NULL,
    role text NOT NULL,
    admin_user_id bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    last_used_at timestamp with time zone,
    CONSTRAINT api_tokens_name_check CHECK (((length(name) >= 1) AND (length(name) <= 100))),
    CONSTRAINT api_tokens_role_check CHECK ((role = ANY (ARRAY['viewer'::text, 'admin'::text]))),
    CONSTRAINT api_tokens_token_sha256_check CHECK ((length(token_sha256) = 32))
);

--
-- Name: TABLE api_tokens; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.api_tokens IS 'Bearer tokens for the REST API. Only a SHA-256 of each token is stored (tokens are 256-bit random, so a fast hash is safe).';

--
-- Name: COLUMN api_tokens.token_prefix; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.api_tokens.token_prefix IS 'First characters of the token, to tell tokens apart in a list.';

--
-- Name: COLUMN api_tokens.admin_user_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.api_tokens.admin_user_id IS 'The account a login token was issued to; null for tokens made with nezuko token create.';

--
-- Name: api_tokens_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.api_tokens ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.api_tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: bot_alive_minutes; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.bot_alive_minutes (
    minute timestamp with time zone NOT NULL
);

--
-- Name: TABLE bot_alive_minutes; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.bot_alive_minutes IS 'UTC minutes in which at least one bot had a fresh heartbeat (status not offline/error, under two heartbeat intervals old). Written by a trigger on bot_status; read by api.get_bot_health for uptime_percent.';

--
-- Name: bot_effects; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.bot_effects (
    id bigint NOT NULL,
    bot_instance_id bigint NOT NULL,
    chat_id bigint NOT NULL,
    method text NOT NULL,
    params jsonb NOT NULL,
    outcome jsonb DEFAULT '[]'::jsonb NOT NULL,
    repeatable boolean NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 6 NOT NULL,
    run_after timestamp with time zone DEFAULT now() NOT NULL,
    lease_owner text,
    lease_expires_at timestamp with time zone,
    calling_at timestamp with time zone,
    source text NOT NULL,
    result jsonb,
    error_type text,
    error_code integer,
    description text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    CONSTRAINT bot_effects_attempts_check CHECK ((attempts >= 0)),
    CONSTRAINT bot_effects_max_attempts_check CHECK (((max_attempts >= 1) AND (max_attempts <= 100))),
    CONSTRAINT bot_effects_method_check CHECK ((method ~ '^[a-zA-Z]{3,64}$'::text)),
    CONSTRAINT bot_effects_outcome_check CHECK ((jsonb_typeof(outcome) = 'array'::text)),
    CONSTRAINT bot_effects_params_check CHECK ((jsonb_typeof(params) = 'object'::text)),
    CONSTRAINT bot_effects_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'done'::text, 'failed'::text, 'unknown'::text]))),
    CONSTRAINT finished_has_time CHECK (((status = ANY (ARRAY['pending'::text, 'running'::text])) OR (finished_at IS NOT NULL))),
    CONSTRAINT running_has_lease CHECK (((status <> 'running'::text) OR ((lease_owner IS NOT NULL) AND (lease_expires_at IS NOT NULL))))
);

--
-- Name: TABLE bot_effects; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.bot_effects IS 'Effect outbox: every Bot API call a decision wants (mute, prompt, delete, unmute, answer), written in the decision''s transaction. Executed per chat in id order under a lease; the answer is reported to SQL, which moves the member''s state. Finished rows are kept a day (bot.housekeeping).';

--
-- Name: COLUMN bot_effects.chat_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_effects.chat_id IS 'The lane: effects of one chat run one at a time, in id order (0 = a call into no chat, e.g. answerCallbackQuery).';

--
-- Name: COLUMN bot_effects.outcome; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_effects.outcome IS 'What SQL does with the answer (bot.apply_outcome): [{kind: mute|prompt|unmute|autodelete|..., group_id, user_id, ...}].';

--
-- Name: COLUMN bot_effects.repeatable; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_effects.repeatable IS 'Whether the call may be made twice without a visible difference (restrict, delete, ban: yes; send: no). An interrupted non-repeatable call ends as unknown instead of being made again.';

--
-- Name: COLUMN bot_effects.status; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_effects.status IS 'pending → running (claimed) → done | failed (Telegram refused, or retries ran out) | unknown (a non-repeatable call was interrupted: it may or may not have happened).';

--
-- Name: COLUMN bot_effects.calling_at; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_effects.calling_at IS 'Set (durably) just before a non-repeatable call goes out; a rescued effect with it set has an unknown outcome.';

--
-- Name: COLUMN bot_effects.source; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_effects.source IS 'What wanted it: update:<update_id>, deletion, api, command.';

--
-- Name: COLUMN bot_effects.error_type; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_effects.error_type IS 'Class of the last failure: rate_limited, server_error, timeout, not_enough_rights, forbidden, bad_request, ...';

--
-- Name: bot_effects_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.bot_effects ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.bot_effects_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: bot_instances; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.bot_instances (
    id bigint NOT NULL,
    owner_id bigint,
    bot_user_id bigint NOT NULL,
    username text NOT NULL,
    first_name text,
    token_encrypted text NOT NULL,
    token_sha256 bytea NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    update_mode text DEFAULT 'polling'::text NOT NULL,
    webhook_secret_sha256 bytea,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT bot_instances_token_sha256_check CHECK ((length(token_sha256) = 32)),
    CONSTRAINT bot_instances_update_mode_check CHECK ((update_mode = ANY (ARRAY['polling'::text, 'webhook'::text]))),
    CONSTRAINT bot_instances_webhook_secret_sha256_check CHECK ((length(webhook_secret_sha256) = 32)),
    CONSTRAINT webhook_needs_secret CHECK (((update_mode = 'polling'::text) OR (webhook_secret_sha256 IS NOT NULL)))
);

--
-- Name: TABLE bot_instances; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.bot_instances IS 'Registered Telegram bots. Several run in one nezuko process. The token is never returned by any API.';

--
-- Name: COLUMN bot_instances.bot_user_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_instances.bot_user_id IS 'The bot''s own Telegram user id, from getMe.';

--
-- Name: COLUMN bot_instances.token_encrypted; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_instances.token_encrypted IS 'Fernet token of the bot token, encrypted with the first key of NEZUKO_FERNET_KEYS; any listed key decrypts (rotation).';

--
-- Name: COLUMN bot_instances.token_sha256; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_instances.token_sha256 IS 'SHA-256 of the bot token, so the same bot cannot be registered twice without decrypting anything.';

--
-- Name: COLUMN bot_instances.is_active; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_instances.is_active IS 'Inactive bots are not run; the bridge starts and stops bots as this changes, without a restart.';

--
-- Name: COLUMN bot_instances.update_mode; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_instances.update_mode IS 'polling (getUpdates, default) or webhook (POST /telegram/{id}/webhook).';

--
-- Name: COLUMN bot_instances.webhook_secret_sha256; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_instances.webhook_secret_sha256 IS 'SHA-256 of the X-Telegram-Bot-Api-Secret-Token the webhook must carry.';

--
-- Name: bot_instances_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.bot_instances ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.bot_instances_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: bot_scheduled_deletions; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.bot_scheduled_deletions (
    chat_id bigint NOT NULL,
    message_id bigint NOT NULL,
    bot_instance_id bigint NOT NULL,
    delete_at timestamp with time zone NOT NULL
);

--
-- Name: TABLE bot_scheduled_deletions; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.bot_scheduled_deletions IS 'Messages the bot posted that it must delete at delete_at (group setting auto_delete_seconds).';

--
-- Name: bot_status; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.bot_status (
    bot_instance_id bigint NOT NULL,
    status text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    last_heartbeat timestamp with time zone DEFAULT now() NOT NULL,
    uptime_seconds bigint DEFAULT 0 NOT NULL,
    version text,
    instance text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    status_reason text,
    CONSTRAINT bot_status_metadata_check CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT bot_status_status_check CHECK ((status = ANY (ARRAY['starting'::text, 'online'::text, 'degraded'::text, 'offline'::text, 'error'::text]))),
    CONSTRAINT bot_status_uptime_seconds_check CHECK ((uptime_seconds >= 0))
);

--
-- Name: TABLE bot_status; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.bot_status IS 'Heartbeat of each running bot, upserted every heartbeat_interval_seconds. Older than two intervals = down.';

--
-- Name: COLUMN bot_status.instance; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_status.instance IS 'The nezuko process (host:pid) running the bot.';

--
-- Name: COLUMN bot_status.metadata; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_status.metadata IS 'Live counters: updates handled, queue depth, cache hit rate, ...';

--
-- Name: COLUMN bot_status.status_reason; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_status.status_reason IS 'Why the bot is degraded or in error (token refused, repeated 429/5xx/timeouts), from the answers Telegram gave during the last heartbeat interval.';

--
-- Name: bot_texts; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.bot_texts (
    key text NOT NULL,
    language text NOT NULL,
    body text NOT NULL,
    CONSTRAINT bot_texts_body_check CHECK ((body <> ''::text)),
    CONSTRAINT bot_texts_key_check CHECK ((key ~ '^[a-z_]+\.[a-z_]+$'::text)),
    CONSTRAINT bot_texts_language_check CHECK ((language ~ '^[a-z]{2,3}$'::text))
);

--
-- Name: TABLE bot_texts; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.bot_texts IS 'Every text the bot writes (prompts, buttons, command replies, /help, /status, /settings, callback answers), by key and language (ISO 639-1). Named placeholders {like_this} are filled by bot.text. A language is offered only when it has every key.';

--
-- Name: COLUMN bot_texts.key; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_texts.key IS 'area.name, e.g. prompt.text; the English row says what the text is for.';

--
-- Name: COLUMN bot_texts.language; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_texts.language IS 'ISO 639-1 code, as Telegram''s language_code before any region (pt-br → pt).';

--
-- Name: COLUMN bot_texts.body; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.bot_texts.body IS 'The text. Messages are Telegram HTML; callback.* answers are plain text (at most 200 characters once filled).';

--
-- Name: code_packages; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.code_packages (
    name text NOT NULL,
    sha256 text NOT NULL,
    installed_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: TABLE code_packages; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.code_packages IS 'Last install of each SQL code package (functions, triggers): a SHA-256 of its evaluated SQL. Written by the package''s own install.sql.';

--
-- Name: command_types; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.command_types (
    name text NOT NULL,
    description text NOT NULL,
    needs_bot boolean DEFAULT true NOT NULL,
    payload_fields jsonb DEFAULT '{}'::jsonb NOT NULL,
    repeatable boolean DEFAULT false NOT NULL,
    CONSTRAINT command_types_name_check CHECK ((name ~ '^[a-z][a-z0-9_]*$'::text)),
    CONSTRAINT command_types_payload_fields_check CHECK ((jsonb_typeof(payload_fields) = 'object'::text))
);

--
-- Name: TABLE command_types; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.command_types IS 'Registry of admin command types the worker can execute.';

--
-- Name: COLUMN command_types.needs_bot; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.command_types.needs_bot IS 'False for commands done in SQL alone (clear_cache).';

--
-- Name: COLUMN command_types.payload_fields; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.command_types.payload_fields IS 'Payload rules: {"field": {"type": "chat_id"|"user_id"|"text"|"seconds"|"boolean", "required": true|false}}. Fields not listed are refused. Checked by bot.validate_command at INSERT (API and plain SQL alike).';

--
-- Name: COLUMN command_types.repeatable; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.command_types.repeatable IS 'True when running the command twice has the effect of running it once (ban, restrict, re-verify, sync, leave, clear the cache): an attempt whose outcome is unknown is then simply re-run. False (send a message): such an attempt ends the command with status unknown instead of risking a second effect.';

--
-- Name: enforced_channels; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.enforced_channels (
    channel_id bigint NOT NULL,
    username text,
    title text,
    invite_link text,
    subscriber_count integer,
    bot_is_admin boolean,
    health text DEFAULT 'ok'::text NOT NULL,
    health_reason text,
    last_synced_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT enforced_channels_health_check CHECK ((health = ANY (ARRAY['ok'::text, 'warning'::text, 'error'::text]))),
    CONSTRAINT enforced_channels_subscriber_count_check CHECK ((subscriber_count >= 0)),
    CONSTRAINT health_reason_when_unhealthy CHECK (((health = 'ok'::text) OR (health_reason IS NOT NULL)))
);

--
-- Name: TABLE enforced_channels; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.enforced_channels IS 'Channels a member must be subscribed to. The bot must be an admin of the channel to see its members.';

--
-- Name: COLUMN enforced_channels.invite_link; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.enforced_channels.invite_link IS 'Link for the join button; the public t.me/username link when the channel has a username.';

--
-- Name: COLUMN enforced_channels.bot_is_admin; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.enforced_channels.bot_is_admin IS 'Whether the bot can check membership here; null until first checked.';

--
-- Name: group_channel_links; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.group_channel_links (
    group_id bigint NOT NULL,
    channel_id bigint NOT NULL,
    created_by bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: TABLE group_channel_links; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.group_channel_links IS 'Which channels each protected group enforces (many to many).';

--
-- Name: COLUMN group_channel_links.created_by; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.group_channel_links.created_by IS 'Telegram user id of the admin who linked it (/protect), or null when linked from the dashboard.';

--
-- Name: group_restrictions; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.group_restrictions (
    group_id bigint NOT NULL,
    user_id bigint NOT NULL,
    bot_instance_id bigint,
    muted boolean DEFAULT false NOT NULL,
    muted_until timestamp with time zone,
    prompt_message_id bigint,
    missing_channels bigint[] DEFAULT '{}'::bigint[] NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    prompted_at timestamp with time zone,
    muted_at timestamp with time zone
);

--
-- Name: TABLE group_restrictions; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.group_restrictions IS 'Users this bot muted or prompted in a group, so it can unmute them when they join a channel and delete its own prompt. Only users listed here are ever unmuted by the bot.';

--
-- Name: COLUMN group_restrictions.muted; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.group_restrictions.muted IS 'The bot decided to mute this member here (the restrictChatMember effect may still be pending: see muted_at).';

--
-- Name: COLUMN group_restrictions.prompt_message_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.group_restrictions.prompt_message_id IS 'The bot''s "please subscribe" message in the group, deleted on unmute.';

--
-- Name: COLUMN group_restrictions.prompted_at; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.group_restrictions.prompted_at IS 'When the bot last posted a prompt for this user here; no second prompt within prompt_repeat_seconds (one prompt, not one per message).';

--
-- Name: COLUMN group_restrictions.muted_at; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.group_restrictions.muted_at IS 'When Telegram confirmed the mute; null while the effect is pending.';

--
-- Name: group_settings; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.group_settings (
    name text NOT NULL,
    "position" integer NOT NULL,
    value_type text NOT NULL,
    default_value jsonb NOT NULL,
    allowed_values text[],
    min_value bigint,
    max_value bigint,
    description text NOT NULL,
    CONSTRAINT enum_has_choices CHECK (((value_type <> 'enum'::text) OR (cardinality(allowed_values) > 0))),
    CONSTRAINT group_settings_name_check CHECK ((name ~ '^[a-z_]+$'::text)),
    CONSTRAINT group_settings_value_type_check CHECK ((value_type = ANY (ARRAY['enum'::text, 'integer'::text, 'boolean'::text, 'text'::text, 'id_list'::text, 'language'::text]))),
    CONSTRAINT range_is_ordered CHECK (((min_value IS NULL) OR (max_value IS NULL) OR (min_value <= max_value)))
);

--
-- Name: TABLE group_settings; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.group_settings IS 'The per-group settings (protected_groups.params) a group admin may change: type, default, allowed values, description. Read by the params CHECK, bot.settings, /settings and api.list_group_settings.';

--
-- Name: COLUMN group_settings."position"; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.group_settings."position" IS 'Order in /settings and the API.';

--
-- Name: COLUMN group_settings.value_type; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.group_settings.value_type IS 'enum (one of allowed_values), integer (min_value..max_value, or one of allowed_values), boolean, text (min_value..max_value characters), id_list (array of Telegram ids), language (a language with a complete set of bot_texts).';

--
-- Name: COLUMN group_settings.default_value; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.group_settings.default_value IS 'The value when the group''s params do not set it. JSON null: no value (prompt_text: the language''s own prompt).';

--
-- Name: COLUMN group_settings.allowed_values; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.group_settings.allowed_values IS 'enum: the choices. integer: values accepted outside min_value..max_value (0 = "until subscribed").';

--
-- Name: group_settings_defaults; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.group_settings_defaults (
    singleton boolean DEFAULT true NOT NULL,
    defaults jsonb NOT NULL,
    CONSTRAINT group_settings_defaults_defaults_check CHECK ((jsonb_typeof(defaults) = 'object'::text)),
    CONSTRAINT group_settings_defaults_singleton_check CHECK (singleton)
);

--
-- Name: TABLE group_settings_defaults; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.group_settings_defaults IS 'One row: every setting of nezuko.group_settings with its default_value, as one JSON object (bot.settings). Kept by a trigger on group_settings; never written by hand.';

--
-- Name: group_user_first_seen; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.group_user_first_seen (
    group_id bigint NOT NULL,
    user_id bigint NOT NULL,
    first_seen timestamp with time zone NOT NULL,
    previous_first_seen timestamp with time zone
);

--
-- Name: TABLE group_user_first_seen; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.group_user_first_seen IS 'When each user first appeared in verification_log for one group (rows with a group_id). Kept by trigger; not reduced by log retention.';

--
-- Name: login_failures; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.login_failures (
    id bigint NOT NULL,
    email text NOT NULL,
    ip inet,
    failed_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: TABLE login_failures; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.login_failures IS 'Failed logins (unknown email, wrong password, deactivated account) for throttling: counted per email and per client address over login_failure_window_seconds. A success clears its email''s rows; older rows are deleted as new ones come.';

--
-- Name: COLUMN login_failures.email; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.login_failures.email IS 'The email as typed, lower-cased (also for unknown accounts, so probing one costs the same).';

--
-- Name: COLUMN login_failures.ip; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.login_failures.ip IS 'The client address the API saw (null when unknown).';

--
-- Name: login_failures_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.login_failures ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.login_failures_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: membership_cache; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.membership_cache (
    channel_id bigint NOT NULL,
    user_id bigint NOT NULL,
    member_status text NOT NULL,
    is_member boolean NOT NULL,
    checked_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    error_type text,
    CONSTRAINT membership_cache_error_has_type CHECK (((member_status = 'error'::text) = (error_type IS NOT NULL))),
    CONSTRAINT membership_cache_member_status_check CHECK ((member_status = ANY (ARRAY['creator'::text, 'administrator'::text, 'member'::text, 'restricted'::text, 'left'::text, 'kicked'::text, 'error'::text])))
);

--
-- Name: TABLE membership_cache; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.membership_cache IS 'Telegram''s answers to getChatMember(chat, user), kept for the positive or negative TTL of admin_config. chat is an enforced channel (subscription) or a protected group (is the user an admin there).';

--
-- Name: COLUMN membership_cache.is_member; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.membership_cache.is_member IS 'Subscribed: creator, administrator, member, or restricted with is_member.';

--
-- Name: COLUMN membership_cache.error_type; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.membership_cache.error_type IS 'For member_status error: why Telegram could not answer (bot_not_admin, chat_not_found, ...); kept membership_cache_ttl_error_seconds; the group''s fail_mode decides meanwhile.';

--
-- Name: new_users_daily; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.new_users_daily (
    group_id bigint NOT NULL,
    day timestamp with time zone NOT NULL,
    n bigint NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE new_users_daily; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.new_users_daily IS 'new_users_hourly summed per UTC day (day = UTC midnight), per group.';

--
-- Name: new_users_daily_all; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.new_users_daily_all (
    day timestamp with time zone NOT NULL,
    n bigint NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE new_users_daily_all; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.new_users_daily_all IS 'new_users_hourly_all summed per UTC day (day = UTC midnight).';

--
-- Name: new_users_hourly; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.new_users_hourly (
    group_id bigint NOT NULL,
    hour timestamp with time zone NOT NULL,
    n bigint NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE new_users_hourly; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.new_users_hourly IS 'Per group: users whose first_seen in that group (group_user_first_seen) falls in each UTC hour.';

--
-- Name: new_users_hourly_all; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.new_users_hourly_all (
    hour timestamp with time zone NOT NULL,
    n bigint NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE new_users_hourly_all; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.new_users_hourly_all IS 'Users whose first_seen (user_first_seen) falls in each UTC hour: growth series without counting user_first_seen.';

--
-- Name: owners; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.owners (
    user_id bigint NOT NULL,
    username text,
    first_name text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: TABLE owners; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.owners IS 'Telegram users who own bots or protected groups.';

--
-- Name: COLUMN owners.user_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.owners.user_id IS 'Telegram user id.';

--
-- Name: processed_updates; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.processed_updates (
    bot_instance_id bigint NOT NULL,
    update_id bigint NOT NULL,
    processed_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: TABLE processed_updates; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.processed_updates IS 'Telegram updates whose effect is committed, so a redelivered update (same bot, same update_id) has no second effect. Pruned after a day.';

--
-- Name: realtime_events; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.realtime_events (
    id bigint NOT NULL,
    channel text NOT NULL,
    kind text NOT NULL,
    source_id bigint NOT NULL,
    data jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    txid xid8 DEFAULT pg_current_xact_id() NOT NULL,
    command nezuko.admin_commands,
    CONSTRAINT realtime_events_channel_check CHECK ((channel = ANY (ARRAY['bot_status'::text, 'commands'::text]))),
    CONSTRAINT realtime_events_data_check CHECK ((jsonb_typeof(data) = 'object'::text)),
    CONSTRAINT realtime_events_kind_check CHECK ((kind = ANY (ARRAY['status_changed'::text, 'command_updated'::text]))),
    CONSTRAINT realtime_events_one_payload CHECK ((num_nonnulls(data, command) = 1))
);

--
-- Name: TABLE realtime_events; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.realtime_events IS 'Outbox of realtime events for tables updated in place (bot_status, admin_commands): one row per change, with the row as it was. Pruned to 24 h and 10,000 rows per channel by bot.realtime_prune; verification_log and admin_logs are read directly.';

--
-- Name: COLUMN realtime_events.source_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.realtime_events.source_id IS 'bot_status.bot_instance_id or admin_commands.id of the changed row.';

--
-- Name: COLUMN realtime_events.data; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.realtime_events.data IS 'The changed row as JSON, the shape the API returns (status_changed events, and command_updated events written before migration 012); null when command is set.';

--
-- Name: COLUMN realtime_events.txid; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.realtime_events.txid IS 'Writing transaction: events are ordered by (txid, kind, id) and delivered only once older transactions have finished.';

--
-- Name: COLUMN realtime_events.command; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.realtime_events.command IS 'command_updated: the admin_commands row as it was, rendered as JSON when read (bot.realtime_events); null when data is set.';

--
-- Name: realtime_events_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.realtime_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.realtime_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: realtime_retention; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.realtime_retention (
    channel text NOT NULL,
    pruned_txid xid8 NOT NULL,
    pruned_id bigint NOT NULL,
    pruned_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT realtime_retention_channel_check CHECK ((channel = ANY (ARRAY['bot_status'::text, 'commands'::text])))
);

--
-- Name: TABLE realtime_retention; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.realtime_retention IS 'Newest outbox event pruned per channel: a client resuming from an older cursor gets a reset event instead of a replay with holes.';

--
-- Name: schema_version; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.schema_version (
    version integer NOT NULL
);

--
-- Name: sse_tickets; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.sse_tickets (
    id bigint NOT NULL,
    token_sha256 bytea NOT NULL,
    api_token_id bigint NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT sse_tickets_token_sha256_check CHECK ((length(token_sha256) = 32))
);

--
-- Name: TABLE sse_tickets; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.sse_tickets IS 'Short-lived tickets that open GET /v1/events only (access_token=...). Only a SHA-256 of each is kept. A ticket acts with the role of the API token that minted it, and dies with it. Expired rows are deleted by auth.create_ticket.';

--
-- Name: COLUMN sse_tickets.api_token_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.sse_tickets.api_token_id IS 'The API token that minted the ticket: revoking it ends the ticket and the streams it opened.';

--
-- Name: sse_tickets_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.sse_tickets ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.sse_tickets_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: user_first_seen; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.user_first_seen (
    user_id bigint NOT NULL,
    first_seen timestamp with time zone NOT NULL,
    previous_first_seen timestamp with time zone
);

--
-- Name: TABLE user_first_seen; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.user_first_seen IS 'When each Telegram user first appeared in verification_log (any group). Kept by trigger; not reduced by log retention.';

--
-- Name: COLUMN user_first_seen.previous_first_seen; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.user_first_seen.previous_first_seen IS 'The first_seen a backfill replaced (null if never moved). The trigger''s upsert returns it (null = a new user), so it can move the user''s count out of the old hour in one pass.';

--
-- Name: verification_daily; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_daily (
    day timestamp with time zone NOT NULL,
    group_id bigint,
    status text NOT NULL,
    cached boolean NOT NULL,
    n bigint NOT NULL,
    latency_sum bigint NOT NULL,
    lat_lt_50 bigint DEFAULT 0 NOT NULL,
    lat_50_100 bigint DEFAULT 0 NOT NULL,
    lat_100_200 bigint DEFAULT 0 NOT NULL,
    lat_200_500 bigint DEFAULT 0 NOT NULL,
    lat_ge_500 bigint DEFAULT 0 NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_daily; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_daily IS 'verification_hourly summed per UTC day (day = UTC midnight) and group: one group''s long windows with day or coarser buckets in UTC (sql/016).';

--
-- Name: verification_daily_all; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_daily_all (
    day timestamp with time zone NOT NULL,
    status text NOT NULL,
    cached boolean NOT NULL,
    n bigint NOT NULL,
    latency_sum bigint NOT NULL,
    lat_lt_50 bigint DEFAULT 0 NOT NULL,
    lat_50_100 bigint DEFAULT 0 NOT NULL,
    lat_100_200 bigint DEFAULT 0 NOT NULL,
    lat_200_500 bigint DEFAULT 0 NOT NULL,
    lat_ge_500 bigint DEFAULT 0 NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_daily_all; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_daily_all IS 'verification_hourly_all summed per UTC day (day = UTC midnight), for long windows with day or coarser buckets in UTC.';

--
-- Name: verification_day24_all; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_day24_all (
    day_start timestamp with time zone NOT NULL,
    status text NOT NULL,
    cached boolean NOT NULL,
    n bigint NOT NULL,
    latency_sum bigint NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_day24_all; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_day24_all IS 'verification_hourly_all summed over the 24 hours [day_start, day_start + 24 h), for every UTC half hour day_start (sql/009, sql/015): a local day of any time zone is one row plus at most a quarter hour at each end.';

--
-- Name: verification_day24_pending; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_day24_pending (
    half timestamp with time zone NOT NULL,
    status text NOT NULL,
    cached boolean NOT NULL,
    n bigint NOT NULL,
    latency_sum bigint NOT NULL
);

--
-- Name: TABLE verification_day24_pending; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_day24_pending IS 'verification_log rows of the half hour [half, half + 30 min) not yet added to verification_day24_all (sql/017): the half hours since the last fold, read by the day24 readers beside it.';

--
-- Name: verification_group_totals; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_group_totals (
    group_id bigint NOT NULL,
    n bigint NOT NULL,
    verified bigint NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_group_totals; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_group_totals IS 'verification_log rows per group (rows with a group_id), all retained time: total and verified. Kept by the verification rollup trigger.';

--
-- Name: verification_hourly; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_hourly (
    hour timestamp with time zone NOT NULL,
    group_id bigint,
    status text NOT NULL,
    cached boolean NOT NULL,
    n bigint NOT NULL,
    latency_sum bigint NOT NULL,
    lat_lt_50 bigint DEFAULT 0 NOT NULL,
    lat_50_100 bigint DEFAULT 0 NOT NULL,
    lat_100_200 bigint DEFAULT 0 NOT NULL,
    lat_200_500 bigint DEFAULT 0 NOT NULL,
    lat_ge_500 bigint DEFAULT 0 NOT NULL,
    n_q1 bigint DEFAULT 0 NOT NULL,
    n_q2 bigint DEFAULT 0 NOT NULL,
    n_q3 bigint DEFAULT 0 NOT NULL,
    latency_sum_q1 bigint DEFAULT 0 NOT NULL,
    latency_sum_q2 bigint DEFAULT 0 NOT NULL,
    latency_sum_q3 bigint DEFAULT 0 NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_hourly; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_hourly IS 'Rollup of verification_log per UTC hour, group, status and cache hit (exact counts, kept by statement-level triggers). Read by api.get_* for group-filtered answers.';

--
-- Name: COLUMN verification_hourly.hour; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_hourly.hour IS 'Start of the UTC hour (date_trunc(''hour'', timestamp, ''UTC'')).';

--
-- Name: COLUMN verification_hourly.latency_sum; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_hourly.latency_sum IS 'Sum of latency_ms, so averages are exact: latency_sum / n.';

--
-- Name: COLUMN verification_hourly.lat_lt_50; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_hourly.lat_lt_50 IS 'Rows with latency_ms < 50 (the dashboard''s latency distribution bands: <50, 50-100, 100-200, 200-500, >=500).';

--
-- Name: COLUMN verification_hourly.n_q1; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_hourly.n_q1 IS 'Rows of n in the hour''s first quarter (minutes 0-14); n_q2: 15-29, n_q3: 30-44; minutes 45-59 are n - n_q1 - n_q2 - n_q3. Lets a reader cut the hour at a local day or hour boundary of any time zone.';

--
-- Name: COLUMN verification_hourly.latency_sum_q1; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_hourly.latency_sum_q1 IS 'latency_sum of the rows in n_q1 (likewise _q2, _q3).';

--
-- Name: verification_hourly_all; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_hourly_all (
    hour timestamp with time zone NOT NULL,
    status text NOT NULL,
    cached boolean NOT NULL,
    n bigint NOT NULL,
    latency_sum bigint NOT NULL,
    lat_lt_50 bigint DEFAULT 0 NOT NULL,
    lat_50_100 bigint DEFAULT 0 NOT NULL,
    lat_100_200 bigint DEFAULT 0 NOT NULL,
    lat_200_500 bigint DEFAULT 0 NOT NULL,
    lat_ge_500 bigint DEFAULT 0 NOT NULL,
    n_q1 bigint DEFAULT 0 NOT NULL,
    n_q2 bigint DEFAULT 0 NOT NULL,
    n_q3 bigint DEFAULT 0 NOT NULL,
    latency_sum_q1 bigint DEFAULT 0 NOT NULL,
    latency_sum_q2 bigint DEFAULT 0 NOT NULL,
    latency_sum_q3 bigint DEFAULT 0 NOT NULL
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_hourly_all; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_hourly_all IS 'verification_hourly summed over all groups: "all groups" answers read one row per hour and key instead of one per group.';

--
-- Name: COLUMN verification_hourly_all.n_q1; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_hourly_all.n_q1 IS 'As verification_hourly.n_q1: rows in minutes 0-14 (n_q2: 15-29, n_q3: 30-44).';

--
-- Name: COLUMN verification_hourly_all.latency_sum_q1; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_hourly_all.latency_sum_q1 IS 'latency_sum of the rows in n_q1 (likewise _q2, _q3).';

--
-- Name: verification_latency_daily; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_latency_daily (
    day timestamp with time zone NOT NULL,
    group_id bigint,
    buckets smallint[] NOT NULL,
    counts bigint[] NOT NULL,
    CONSTRAINT verification_latency_daily_check CHECK (((cardinality(buckets) = cardinality(counts)) AND (0 <= ALL (buckets)) AND (120 >= ALL (buckets))))
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_latency_daily; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_latency_daily IS 'Histogram of verification_log.latency_ms per UTC day and group, buckets of analytics.latency_bucket (x1.1 wide): p95 from it is within 5 % of the exact value. counts[i] rows fell in bucket buckets[i] (ascending, buckets with rows only).';

--
-- Name: COLUMN verification_latency_daily.buckets; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_latency_daily.buckets IS 'Histogram buckets (analytics.latency_bucket, 0..120) with at least one row, ascending.';

--
-- Name: COLUMN verification_latency_daily.counts; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_latency_daily.counts IS 'counts[i]: log rows in bucket buckets[i].';

--
-- Name: verification_latency_daily_all; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_latency_daily_all (
    day timestamp with time zone NOT NULL,
    buckets smallint[] NOT NULL,
    counts bigint[] NOT NULL,
    CONSTRAINT verification_latency_daily_all_check CHECK (((cardinality(buckets) = cardinality(counts)) AND (0 <= ALL (buckets)) AND (120 >= ALL (buckets))))
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_latency_daily_all; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_latency_daily_all IS 'verification_latency_hourly_all summed per UTC day: p95 per day over 90 days reads 90 rows.';

--
-- Name: verification_latency_day24_all; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_latency_day24_all (
    day_start timestamp with time zone NOT NULL,
    buckets smallint[] NOT NULL,
    counts bigint[] NOT NULL,
    CONSTRAINT verification_latency_day24_all_check CHECK (((cardinality(buckets) = cardinality(counts)) AND (0 <= ALL (buckets)) AND (120 >= ALL (buckets))))
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_latency_day24_all; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_latency_day24_all IS 'Latency histogram (format of sql/005_analytics.sql) over all groups for the 24 hours [day_start, day_start + 24 h), for every UTC half hour day_start (sql/013).';

--
-- Name: verification_latency_day24_pending; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_latency_day24_pending (
    half timestamp with time zone NOT NULL,
    buckets smallint[] NOT NULL,
    counts bigint[] NOT NULL,
    CONSTRAINT verification_latency_day24_pending_check CHECK (((cardinality(buckets) = cardinality(counts)) AND (0 <= ALL (buckets)) AND (120 >= ALL (buckets))))
);

--
-- Name: TABLE verification_latency_day24_pending; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_latency_day24_pending IS 'Latency histogram (format of sql/012) of the verification_log rows of the half hour [half, half + 30 min) not yet added to verification_latency_day24_all (sql/017).';

--
-- Name: verification_latency_hourly_all; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_latency_hourly_all (
    hour timestamp with time zone NOT NULL,
    buckets smallint[] NOT NULL,
    counts bigint[] NOT NULL,
    CONSTRAINT verification_latency_hourly_all_check CHECK (((cardinality(buckets) = cardinality(counts)) AND (0 <= ALL (buckets)) AND (120 >= ALL (buckets))))
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_latency_hourly_all; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_latency_hourly_all IS 'Histogram of verification_log.latency_ms per UTC hour over all groups (buckets of analytics.latency_bucket; counts[i] rows in bucket buckets[i]).';

--
-- Name: verification_latency_quarter_all; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_latency_quarter_all (
    quarter timestamp with time zone NOT NULL,
    buckets smallint[] NOT NULL,
    counts bigint[] NOT NULL,
    CONSTRAINT verification_latency_quarter_all_check CHECK (((cardinality(buckets) = cardinality(counts)) AND (0 <= ALL (buckets)) AND (120 >= ALL (buckets))))
)
WITH (fillfactor='70');

--
-- Name: TABLE verification_latency_quarter_all; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_latency_quarter_all IS 'Histogram of verification_log.latency_ms per UTC quarter hour over all groups (format of sql/012: ascending buckets, counts). Read for the hours a local day or hour boundary cuts (zones with :30 / :45 offsets).';

--
-- Name: verification_log; Type: TABLE; Schema: nezuko; Owner: -
--

CREATE TABLE nezuko.verification_log (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    group_id bigint,
    channel_id bigint,
    status text NOT NULL,
    latency_ms integer DEFAULT 0 NOT NULL,
    cached boolean DEFAULT false NOT NULL,
    error_type text,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    txid xid8 DEFAULT pg_current_xact_id() NOT NULL,
    CONSTRAINT verification_log_latency_ms_check CHECK ((latency_ms >= 0)),
    CONSTRAINT verification_log_status_check CHECK ((status = ANY (ARRAY['verified'::text, 'restricted'::text, 'error'::text])))
);

--
-- Name: TABLE verification_log; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON TABLE nezuko.verification_log IS 'One row per membership check: who, where, the outcome, how long it took and whether the cache answered. Source of the verification analytics and the dashboard''s live feed.';

--
-- Name: COLUMN verification_log.channel_id; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_log.channel_id IS 'The channel checked; null when one decision covered several channels or none was reachable.';

--
-- Name: COLUMN verification_log.status; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_log.status IS 'verified (subscribed to every enforced channel), restricted (missing at least one), error (could not check).';

--
-- Name: COLUMN verification_log.latency_ms; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_log.latency_ms IS 'Time to reach the decision, including Telegram round trips on a cache miss.';

--
-- Name: COLUMN verification_log.cached; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_log.cached IS 'True when every answer came from the membership cache.';

--
-- Name: COLUMN verification_log.error_type; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_log.error_type IS 'For status error: a short class such as bot_not_admin, chat_not_found, timeout.';

--
-- Name: COLUMN verification_log.txid; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON COLUMN nezuko.verification_log.txid IS 'Writing transaction (pg_current_xact_id()). The realtime relay delivers a row only once every older transaction has finished, so a reader never skips a row that commits late.';

--
-- Name: verification_log_id_seq; Type: SEQUENCE; Schema: nezuko; Owner: -
--

ALTER TABLE nezuko.verification_log ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME nezuko.verification_log_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: admin_audit_log admin_audit_log_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.admin_audit_log
    ADD CONSTRAINT admin_audit_log_pkey PRIMARY KEY (id);

--
-- Name: admin_commands admin_commands_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.admin_commands
    ADD CONSTRAINT admin_commands_pkey PRIMARY KEY (id);

--
-- Name: admin_config admin_config_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.admin_config
    ADD CONSTRAINT admin_config_pkey PRIMARY KEY (key);

--
-- Name: admin_logs admin_logs_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.admin_logs
    ADD CONSTRAINT admin_logs_pkey PRIMARY KEY (id);

--
-- Name: admin_users admin_users_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.admin_users
    ADD CONSTRAINT admin_users_pkey PRIMARY KEY (id);

--
-- Name: api_call_hourly_all api_call_hourly_all_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.api_call_hourly_all
    ADD CONSTRAINT api_call_hourly_all_pkey PRIMARY KEY (hour, method, success);

--
-- Name: api_call_log api_call_log_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.api_call_log
    ADD CONSTRAINT api_call_log_pkey PRIMARY KEY (id);

--
-- Name: api_tokens api_tokens_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);

--
-- Name: api_tokens api_tokens_token_sha256_key; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.api_tokens
    ADD CONSTRAINT api_tokens_token_sha256_key UNIQUE (token_sha256);

--
-- Name: bot_alive_minutes bot_alive_minutes_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_alive_minutes
    ADD CONSTRAINT bot_alive_minutes_pkey PRIMARY KEY (minute);

--
-- Name: bot_effects bot_effects_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_effects
    ADD CONSTRAINT bot_effects_pkey PRIMARY KEY (id);

--
-- Name: bot_instances bot_instances_bot_user_id_key; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_instances
    ADD CONSTRAINT bot_instances_bot_user_id_key UNIQUE (bot_user_id);

--
-- Name: bot_instances bot_instances_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_instances
    ADD CONSTRAINT bot_instances_pkey PRIMARY KEY (id);

--
-- Name: bot_instances bot_instances_token_sha256_key; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_instances
    ADD CONSTRAINT bot_instances_token_sha256_key UNIQUE (token_sha256);

--
-- Name: bot_scheduled_deletions bot_scheduled_deletions_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_scheduled_deletions
    ADD CONSTRAINT bot_scheduled_deletions_pkey PRIMARY KEY (chat_id, message_id);

--
-- Name: bot_status bot_status_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_status
    ADD CONSTRAINT bot_status_pkey PRIMARY KEY (bot_instance_id);

--
-- Name: bot_texts bot_texts_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_texts
    ADD CONSTRAINT bot_texts_pkey PRIMARY KEY (key, language);

--
-- Name: code_packages code_packages_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.code_packages
    ADD CONSTRAINT code_packages_pkey PRIMARY KEY (name);

--
-- Name: command_types command_types_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.command_types
    ADD CONSTRAINT command_types_pkey PRIMARY KEY (name);

--
-- Name: enforced_channels enforced_channels_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.enforced_channels
    ADD CONSTRAINT enforced_channels_pkey PRIMARY KEY (channel_id);

--
-- Name: group_channel_links group_channel_links_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.group_channel_links
    ADD CONSTRAINT group_channel_links_pkey PRIMARY KEY (group_id, channel_id);

--
-- Name: group_restrictions group_restrictions_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.group_restrictions
    ADD CONSTRAINT group_restrictions_pkey PRIMARY KEY (group_id, user_id);

--
-- Name: group_settings_defaults group_settings_defaults_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.group_settings_defaults
    ADD CONSTRAINT group_settings_defaults_pkey PRIMARY KEY (singleton);

--
-- Name: group_settings group_settings_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.group_settings
    ADD CONSTRAINT group_settings_pkey PRIMARY KEY (name);

--
-- Name: group_settings group_settings_position_key; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.group_settings
    ADD CONSTRAINT group_settings_position_key UNIQUE ("position");

--
-- Name: group_user_first_seen group_user_first_seen_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.group_user_first_seen
    ADD CONSTRAINT group_user_first_seen_pkey PRIMARY KEY (group_id, user_id) INCLUDE (first_seen);

--
-- Name: login_failures login_failures_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.login_failures
    ADD CONSTRAINT login_failures_pkey PRIMARY KEY (id);

--
-- Name: membership_cache membership_cache_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.membership_cache
    ADD CONSTRAINT membership_cache_pkey PRIMARY KEY (channel_id, user_id);

--
-- Name: new_users_daily_all new_users_daily_all_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.new_users_daily_all
    ADD CONSTRAINT new_users_daily_all_pkey PRIMARY KEY (day);

--
-- Name: new_users_daily new_users_daily_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.new_users_daily
    ADD CONSTRAINT new_users_daily_pkey PRIMARY KEY (group_id, day);

--
-- Name: new_users_hourly_all new_users_hourly_all_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.new_users_hourly_all
    ADD CONSTRAINT new_users_hourly_all_pkey PRIMARY KEY (hour);

--
-- Name: new_users_hourly new_users_hourly_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.new_users_hourly
    ADD CONSTRAINT new_users_hourly_pkey PRIMARY KEY (group_id, hour);

--
-- Name: owners owners_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.owners
    ADD CONSTRAINT owners_pkey PRIMARY KEY (user_id);

--
-- Name: processed_updates processed_updates_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.processed_updates
    ADD CONSTRAINT processed_updates_pkey PRIMARY KEY (bot_instance_id, update_id);

--
-- Name: protected_groups protected_groups_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.protected_groups
    ADD CONSTRAINT protected_groups_pkey PRIMARY KEY (group_id);

--
-- Name: realtime_events realtime_events_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.realtime_events
    ADD CONSTRAINT realtime_events_pkey PRIMARY KEY (txid, id);

--
-- Name: CONSTRAINT realtime_events_pkey ON realtime_events; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON CONSTRAINT realtime_events_pkey ON nezuko.realtime_events IS 'The delivery key: the relay, replay (bot.realtime_events, bot.realtime_backlog) and the prune read events in (txid, id) order.';

--
-- Name: realtime_retention realtime_retention_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.realtime_retention
    ADD CONSTRAINT realtime_retention_pkey PRIMARY KEY (channel);

--
-- Name: sse_tickets sse_tickets_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.sse_tickets
    ADD CONSTRAINT sse_tickets_pkey PRIMARY KEY (id);

--
-- Name: sse_tickets sse_tickets_token_sha256_key; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.sse_tickets
    ADD CONSTRAINT sse_tickets_token_sha256_key UNIQUE (token_sha256);

--
-- Name: user_first_seen user_first_seen_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.user_first_seen
    ADD CONSTRAINT user_first_seen_pkey PRIMARY KEY (user_id);

--
-- Name: verification_daily_all verification_daily_all_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_daily_all
    ADD CONSTRAINT verification_daily_all_pkey PRIMARY KEY (day, status, cached);

--
-- Name: verification_day24_all verification_day24_all_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_day24_all
    ADD CONSTRAINT verification_day24_all_pkey PRIMARY KEY (day_start, status, cached);

--
-- Name: verification_day24_pending verification_day24_pending_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_day24_pending
    ADD CONSTRAINT verification_day24_pending_pkey PRIMARY KEY (half, status, cached);

--
-- Name: verification_group_totals verification_group_totals_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_group_totals
    ADD CONSTRAINT verification_group_totals_pkey PRIMARY KEY (group_id);

--
-- Name: verification_hourly_all verification_hourly_all_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_hourly_all
    ADD CONSTRAINT verification_hourly_all_pkey PRIMARY KEY (hour, status, cached);

--
-- Name: verification_latency_daily_all verification_latency_daily_all_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_latency_daily_all
    ADD CONSTRAINT verification_latency_daily_all_pkey PRIMARY KEY (day);

--
-- Name: verification_latency_day24_all verification_latency_day24_all_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_latency_day24_all
    ADD CONSTRAINT verification_latency_day24_all_pkey PRIMARY KEY (day_start);

--
-- Name: verification_latency_day24_pending verification_latency_day24_pending_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_latency_day24_pending
    ADD CONSTRAINT verification_latency_day24_pending_pkey PRIMARY KEY (half);

--
-- Name: verification_latency_hourly_all verification_latency_hourly_all_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_latency_hourly_all
    ADD CONSTRAINT verification_latency_hourly_all_pkey PRIMARY KEY (hour);

--
-- Name: verification_latency_quarter_all verification_latency_quarter_all_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_latency_quarter_all
    ADD CONSTRAINT verification_latency_quarter_all_pkey PRIMARY KEY (quarter);

--
-- Name: verification_log verification_log_pkey; Type: CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.verification_log
    ADD CONSTRAINT verification_log_pkey PRIMARY KEY (id);

--
-- Name: admin_audit_log_created_brin; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX admin_audit_log_created_brin ON nezuko.admin_audit_log USING brin (created_at);

--
-- Name: admin_commands_claim_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX admin_commands_claim_idx ON nezuko.admin_commands USING btree (run_after, id) WHERE (status = 'pending'::text);

--
-- Name: admin_commands_created_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX admin_commands_created_idx ON nezuko.admin_commands USING btree (created_at);

--
-- Name: admin_commands_idempotency_key; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE UNIQUE INDEX admin_commands_idempotency_key ON nezuko.admin_commands USING btree (idempotency_key) WHERE (status = ANY (ARRAY['pending'::text, 'running'::text]));

--
-- Name: admin_commands_lease_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX admin_commands_lease_idx ON nezuko.admin_commands USING btree (lease_expires_at) WHERE (status = 'running'::text);

--
-- Name: admin_logs_level_timestamp_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX admin_logs_level_timestamp_idx ON nezuko.admin_logs USING btree (level, "timestamp");

--
-- Name: admin_logs_timestamp_brin; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX admin_logs_timestamp_brin ON nezuko.admin_logs USING brin ("timestamp");

--
-- Name: admin_logs_txid_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX admin_logs_txid_idx ON nezuko.admin_logs USING btree (txid, id);

--
-- Name: admin_users_email_key; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE UNIQUE INDEX admin_users_email_key ON nezuko.admin_users USING btree (lower(email));

--
-- Name: api_call_hourly_key; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE UNIQUE INDEX api_call_hourly_key ON nezuko.api_call_hourly USING btree (chat_id, hour, method, success) NULLS NOT DISTINCT;

--
-- Name: api_call_log_time_covering; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX api_call_log_time_covering ON nezuko.api_call_log USING btree ("timestamp") INCLUDE (chat_id, method, success, latency_ms);

--
-- Name: INDEX api_call_log_time_covering; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON INDEX nezuko.api_call_log_time_covering IS 'Raw rows of a time range for the analytics readers, index-only, and retention (oldest first); sql/014.';

--
-- Name: bot_effects_finished_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX bot_effects_finished_idx ON nezuko.bot_effects USING btree (finished_at) WHERE (finished_at IS NOT NULL);

--
-- Name: bot_effects_lane_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX bot_effects_lane_idx ON nezuko.bot_effects USING btree (bot_instance_id, chat_id, id) WHERE (status = ANY (ARRAY['pending'::text, 'running'::text]));

--
-- Name: bot_effects_lease_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX bot_effects_lease_idx ON nezuko.bot_effects USING btree (lease_expires_at) WHERE (status = 'running'::text);

--
-- Name: bot_scheduled_deletions_due_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX bot_scheduled_deletions_due_idx ON nezuko.bot_scheduled_deletions USING btree (bot_instance_id, delete_at);

--
-- Name: group_channel_links_channel_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX group_channel_links_channel_idx ON nezuko.group_channel_links USING btree (channel_id);

--
-- Name: group_restrictions_user_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX group_restrictions_user_idx ON nezuko.group_restrictions USING btree (user_id);

--
-- Name: group_user_first_seen_time; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX group_user_first_seen_time ON nezuko.group_user_first_seen USING btree (group_id, first_seen);

--
-- Name: idx_admin_audit_log_action_timestamp; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX idx_admin_audit_log_action_timestamp ON nezuko.admin_audit_log USING btree (action, created_at);

--
-- Name: idx_admin_audit_log_resource; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX idx_admin_audit_log_resource ON nezuko.admin_audit_log USING btree (resource_type, resource_id, created_at);

--
-- Name: idx_verification_log_group_timestamp; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX idx_verification_log_group_timestamp ON nezuko.verification_log USING btree (group_id, "timestamp") INCLUDE (latency_ms);

--
-- Name: login_failures_email; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX login_failures_email ON nezuko.login_failures USING btree (email, failed_at);

--
-- Name: login_failures_ip; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX login_failures_ip ON nezuko.login_failures USING btree (ip, failed_at) WHERE (ip IS NOT NULL);

--
-- Name: membership_cache_user_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX membership_cache_user_idx ON nezuko.membership_cache USING btree (user_id);

--
-- Name: sse_tickets_api_token_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX sse_tickets_api_token_idx ON nezuko.sse_tickets USING btree (api_token_id);

--
-- Name: sse_tickets_expires_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX sse_tickets_expires_idx ON nezuko.sse_tickets USING btree (expires_at);

--
-- Name: user_first_seen_time; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX user_first_seen_time ON nezuko.user_first_seen USING btree (first_seen);

--
-- Name: verification_daily_key; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE UNIQUE INDEX verification_daily_key ON nezuko.verification_daily USING btree (group_id, day, status, cached) NULLS NOT DISTINCT;

--
-- Name: verification_hourly_key; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE UNIQUE INDEX verification_hourly_key ON nezuko.verification_hourly USING btree (group_id, hour, status, cached) NULLS NOT DISTINCT;

--
-- Name: verification_latency_daily_key; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE UNIQUE INDEX verification_latency_daily_key ON nezuko.verification_latency_daily USING btree (group_id, day) NULLS NOT DISTINCT;

--
-- Name: verification_log_time_covering; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX verification_log_time_covering ON nezuko.verification_log USING btree ("timestamp") INCLUDE (group_id, status, cached, latency_ms);

--
-- Name: INDEX verification_log_time_covering; Type: COMMENT; Schema: nezuko; Owner: -
--

COMMENT ON INDEX nezuko.verification_log_time_covering IS 'Raw rows of a time range for the analytics readers (a window''s partial first hour, rows after its end, current_*), index-only, and retention (oldest first); sql/014.';

--
-- Name: verification_log_txid_idx; Type: INDEX; Schema: nezuko; Owner: -
--

CREATE INDEX verification_log_txid_idx ON nezuko.verification_log USING btree (txid, id);

--
-- Name: bot_status analytics_bot_alive_insert; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_bot_alive_insert AFTER INSERT ON nezuko.bot_status REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.bot_alive_minutes();

--
-- Name: bot_status analytics_bot_alive_update; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_bot_alive_update AFTER UPDATE ON nezuko.bot_status REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.bot_alive_minutes();

--
-- Name: api_call_log analytics_rollup_delete; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_rollup_delete AFTER DELETE ON nezuko.api_call_log REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.api_call_log_rollup('-1');

--
-- Name: verification_log analytics_rollup_delete; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_rollup_delete AFTER DELETE ON nezuko.verification_log REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.verification_log_rollup('-1');

--
-- Name: api_call_log analytics_rollup_insert; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_rollup_insert AFTER INSERT ON nezuko.api_call_log REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.api_call_log_rollup('+1');

--
-- Name: verification_log analytics_rollup_insert; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_rollup_insert AFTER INSERT ON nezuko.verification_log REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.verification_log_rollup('+1');

--
-- Name: api_call_log analytics_rollup_truncate; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_rollup_truncate AFTER TRUNCATE ON nezuko.api_call_log FOR EACH STATEMENT EXECUTE FUNCTION triggers.api_call_log_rollup();

--
-- Name: verification_log analytics_rollup_truncate; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_rollup_truncate AFTER TRUNCATE ON nezuko.verification_log FOR EACH STATEMENT EXECUTE FUNCTION triggers.verification_log_rollup();

--
-- Name: api_call_log analytics_rollup_update_new; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_rollup_update_new AFTER UPDATE ON nezuko.api_call_log REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.api_call_log_rollup('+1');

--
-- Name: verification_log analytics_rollup_update_new; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_rollup_update_new AFTER UPDATE ON nezuko.verification_log REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.verification_log_rollup('+1');

--
-- Name: api_call_log analytics_rollup_update_old; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_rollup_update_old AFTER UPDATE ON nezuko.api_call_log REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.api_call_log_rollup('-1');

--
-- Name: verification_log analytics_rollup_update_old; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER analytics_rollup_update_old AFTER UPDATE ON nezuko.verification_log REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.verification_log_rollup('-1');

--
-- Name: admin_commands audit_change; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER audit_change AFTER INSERT OR DELETE OR UPDATE ON nezuko.admin_commands FOR EACH ROW WHEN ((COALESCE(current_setting('nezuko.token_id'::text, true), ''::text) <> ''::text)) EXECUTE FUNCTION triggers.audit_change('api_only');

--
-- Name: admin_config audit_change; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER audit_change AFTER INSERT OR DELETE OR UPDATE ON nezuko.admin_config FOR EACH ROW EXECUTE FUNCTION triggers.audit_change();

--
-- Name: admin_users audit_change; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER audit_change AFTER INSERT OR DELETE OR UPDATE ON nezuko.admin_users FOR EACH ROW EXECUTE FUNCTION triggers.audit_change();

--
-- Name: api_tokens audit_change; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER audit_change AFTER INSERT OR DELETE OR UPDATE ON nezuko.api_tokens FOR EACH ROW EXECUTE FUNCTION triggers.audit_change();

--
-- Name: bot_instances audit_change; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER audit_change AFTER INSERT OR DELETE OR UPDATE ON nezuko.bot_instances FOR EACH ROW EXECUTE FUNCTION triggers.audit_change();

--
-- Name: command_types audit_change; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER audit_change AFTER INSERT OR DELETE OR UPDATE ON nezuko.command_types FOR EACH ROW EXECUTE FUNCTION triggers.audit_change();

--
-- Name: enforced_channels audit_change; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER audit_change AFTER INSERT OR DELETE OR UPDATE ON nezuko.enforced_channels FOR EACH ROW EXECUTE FUNCTION triggers.audit_change();

--
-- Name: group_channel_links audit_change; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER audit_change AFTER INSERT OR DELETE OR UPDATE ON nezuko.group_channel_links FOR EACH ROW EXECUTE FUNCTION triggers.audit_change();

--
-- Name: owners audit_change; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER audit_change AFTER INSERT OR DELETE OR UPDATE ON nezuko.owners FOR EACH ROW EXECUTE FUNCTION triggers.audit_change();

--
-- Name: protected_groups audit_change; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER audit_change AFTER INSERT OR DELETE OR UPDATE ON nezuko.protected_groups FOR EACH ROW EXECUTE FUNCTION triggers.audit_change();

--
-- Name: group_settings group_settings_defaults; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER group_settings_defaults AFTER INSERT OR DELETE OR UPDATE OR TRUNCATE ON nezuko.group_settings FOR EACH STATEMENT EXECUTE FUNCTION triggers.group_settings_defaults();

--
-- Name: admin_commands notify_command_inserted; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER notify_command_inserted AFTER INSERT ON nezuko.admin_commands FOR EACH STATEMENT EXECUTE FUNCTION triggers.doorbell('nezuko_commands');

--
-- Name: bot_status realtime_bot_status_insert; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER realtime_bot_status_insert AFTER INSERT ON nezuko.bot_status REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.realtime_bot_status();

--
-- Name: bot_status realtime_bot_status_update; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER realtime_bot_status_update AFTER UPDATE ON nezuko.bot_status REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.realtime_bot_status();

--
-- Name: admin_commands realtime_command_insert; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER realtime_command_insert AFTER INSERT ON nezuko.admin_commands REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.realtime_command();

--
-- Name: admin_commands realtime_command_update; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER realtime_command_update AFTER UPDATE ON nezuko.admin_commands REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.realtime_command();

--
-- Name: admin_logs realtime_new_log; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER realtime_new_log AFTER INSERT ON nezuko.admin_logs FOR EACH STATEMENT EXECUTE FUNCTION triggers.doorbell('nezuko_realtime', 'logs');

--
-- Name: verification_log realtime_verification; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER realtime_verification AFTER INSERT ON nezuko.verification_log FOR EACH STATEMENT EXECUTE FUNCTION triggers.doorbell('nezuko_realtime', 'dashboard');

--
-- Name: protected_groups release_disabled_group; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER release_disabled_group AFTER UPDATE OF enabled ON nezuko.protected_groups FOR EACH ROW WHEN ((old.enabled AND (NOT new.enabled))) EXECUTE FUNCTION triggers.release_disabled_group();

--
-- Name: admin_commands set_updated_at; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER set_updated_at BEFORE UPDATE ON nezuko.admin_commands FOR EACH ROW WHEN (((NOT (new.updated_at IS DISTINCT FROM old.updated_at)) AND (old.* IS DISTINCT FROM new.*))) EXECUTE FUNCTION triggers.set_updated_at();

--
-- Name: admin_config set_updated_at; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER set_updated_at BEFORE UPDATE ON nezuko.admin_config FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION triggers.set_updated_at();

--
-- Name: admin_users set_updated_at; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER set_updated_at BEFORE UPDATE ON nezuko.admin_users FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION triggers.set_updated_at();

--
-- Name: bot_instances set_updated_at; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER set_updated_at BEFORE UPDATE ON nezuko.bot_instances FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION triggers.set_updated_at();

--
-- Name: bot_status set_updated_at; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER set_updated_at BEFORE UPDATE ON nezuko.bot_status FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION triggers.set_updated_at();

--
-- Name: enforced_channels set_updated_at; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER set_updated_at BEFORE UPDATE ON nezuko.enforced_channels FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION triggers.set_updated_at();

--
-- Name: group_restrictions set_updated_at; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER set_updated_at BEFORE UPDATE ON nezuko.group_restrictions FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION triggers.set_updated_at();

--
-- Name: owners set_updated_at; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER set_updated_at BEFORE UPDATE ON nezuko.owners FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION triggers.set_updated_at();

--
-- Name: protected_groups set_updated_at; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER set_updated_at BEFORE UPDATE ON nezuko.protected_groups FOR EACH ROW WHEN ((old.* IS DISTINCT FROM new.*)) EXECUTE FUNCTION triggers.set_updated_at();

--
-- Name: admin_commands validate_admin_command; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER validate_admin_command BEFORE UPDATE OF command_type, payload ON nezuko.admin_commands FOR EACH ROW EXECUTE FUNCTION triggers.validate_admin_command();

--
-- Name: admin_commands validate_admin_commands; Type: TRIGGER; Schema: nezuko; Owner: -
--

CREATE TRIGGER validate_admin_commands AFTER INSERT ON nezuko.admin_commands REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION triggers.validate_admin_command();

--
-- Name: admin_commands admin_commands_bot_instance_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.admin_commands
    ADD CONSTRAINT admin_commands_bot_instance_id_fkey FOREIGN KEY (bot_instance_id) REFERENCES nezuko.bot_instances(id) ON DELETE SET NULL;

--
-- Name: admin_commands admin_commands_command_type_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.admin_commands
    ADD CONSTRAINT admin_commands_command_type_fkey FOREIGN KEY (command_type) REFERENCES nezuko.command_types(name) DEFERRABLE INITIALLY DEFERRED;

--
-- Name: api_tokens api_tokens_admin_user_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.api_tokens
    ADD CONSTRAINT api_tokens_admin_user_id_fkey FOREIGN KEY (admin_user_id) REFERENCES nezuko.admin_users(id) ON DELETE CASCADE;

--
-- Name: bot_effects bot_effects_bot_instance_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_effects
    ADD CONSTRAINT bot_effects_bot_instance_id_fkey FOREIGN KEY (bot_instance_id) REFERENCES nezuko.bot_instances(id) ON DELETE CASCADE;

--
-- Name: bot_instances bot_instances_owner_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_instances
    ADD CONSTRAINT bot_instances_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES nezuko.owners(user_id) ON DELETE SET NULL;

--
-- Name: bot_scheduled_deletions bot_scheduled_deletions_bot_instance_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_scheduled_deletions
    ADD CONSTRAINT bot_scheduled_deletions_bot_instance_id_fkey FOREIGN KEY (bot_instance_id) REFERENCES nezuko.bot_instances(id) ON DELETE CASCADE;

--
-- Name: bot_status bot_status_bot_instance_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.bot_status
    ADD CONSTRAINT bot_status_bot_instance_id_fkey FOREIGN KEY (bot_instance_id) REFERENCES nezuko.bot_instances(id) ON DELETE CASCADE;

--
-- Name: group_channel_links group_channel_links_channel_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.group_channel_links
    ADD CONSTRAINT group_channel_links_channel_id_fkey FOREIGN KEY (channel_id) REFERENCES nezuko.enforced_channels(channel_id) ON DELETE CASCADE;

--
-- Name: group_channel_links group_channel_links_group_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.group_channel_links
    ADD CONSTRAINT group_channel_links_group_id_fkey FOREIGN KEY (group_id) REFERENCES nezuko.protected_groups(group_id) ON UPDATE CASCADE ON DELETE CASCADE;

--
-- Name: group_restrictions group_restrictions_bot_instance_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.group_restrictions
    ADD CONSTRAINT group_restrictions_bot_instance_id_fkey FOREIGN KEY (bot_instance_id) REFERENCES nezuko.bot_instances(id) ON DELETE CASCADE;

--
-- Name: protected_groups protected_groups_bot_instance_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.protected_groups
    ADD CONSTRAINT protected_groups_bot_instance_id_fkey FOREIGN KEY (bot_instance_id) REFERENCES nezuko.bot_instances(id) ON DELETE SET NULL;

--
-- Name: protected_groups protected_groups_owner_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.protected_groups
    ADD CONSTRAINT protected_groups_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES nezuko.owners(user_id) ON DELETE SET NULL;

--
-- Name: sse_tickets sse_tickets_api_token_id_fkey; Type: FK CONSTRAINT; Schema: nezuko; Owner: -
--

ALTER TABLE ONLY nezuko.sse_tickets
    ADD CONSTRAINT sse_tickets_api_token_id_fkey FOREIGN KEY (api_token_id) REFERENCES nezuko.api_tokens(id) ON DELETE CASCADE;

--
-- Name: SCHEMA nezuko; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA nezuko TO nezuko_bridge;

--
-- Name: TABLE admin_commands; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.admin_commands TO nezuko_bridge;

--
-- Name: TABLE protected_groups; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.protected_groups TO nezuko_bridge;

--
-- Name: SEQUENCE admin_audit_log_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.admin_audit_log_id_seq TO nezuko_bridge;

--
-- Name: SEQUENCE admin_commands_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.admin_commands_id_seq TO nezuko_bridge;

--
-- Name: TABLE admin_config; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT ON TABLE nezuko.admin_config TO nezuko_bridge;

--
-- Name: TABLE admin_logs; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT ON TABLE nezuko.admin_logs TO nezuko_bridge;

--
-- Name: SEQUENCE admin_logs_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.admin_logs_id_seq TO nezuko_bridge;

--
-- Name: SEQUENCE admin_users_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.admin_users_id_seq TO nezuko_bridge;

--
-- Name: TABLE api_call_hourly; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.api_call_hourly TO nezuko_bridge;

--
-- Name: TABLE api_call_hourly_all; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.api_call_hourly_all TO nezuko_bridge;

--
-- Name: TABLE api_call_log; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT ON TABLE nezuko.api_call_log TO nezuko_bridge;

--
-- Name: SEQUENCE api_call_log_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.api_call_log_id_seq TO nezuko_bridge;

--
-- Name: SEQUENCE api_tokens_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.api_tokens_id_seq TO nezuko_bridge;

--
-- Name: TABLE bot_alive_minutes; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.bot_alive_minutes TO nezuko_bridge;

--
-- Name: TABLE bot_effects; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.bot_effects TO nezuko_bridge;

--
-- Name: SEQUENCE bot_effects_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.bot_effects_id_seq TO nezuko_bridge;

--
-- Name: TABLE bot_instances; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.bot_instances TO nezuko_bridge;

--
-- Name: SEQUENCE bot_instances_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.bot_instances_id_seq TO nezuko_bridge;

--
-- Name: TABLE bot_scheduled_deletions; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.bot_scheduled_deletions TO nezuko_bridge;

--
-- Name: TABLE bot_status; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.bot_status TO nezuko_bridge;

--
-- Name: TABLE bot_texts; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT ON TABLE nezuko.bot_texts TO nezuko_bridge;

--
-- Name: TABLE code_packages; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT ON TABLE nezuko.code_packages TO nezuko_bridge;

--
-- Name: TABLE command_types; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT ON TABLE nezuko.command_types TO nezuko_bridge;

--
-- Name: TABLE enforced_channels; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.enforced_channels TO nezuko_bridge;

--
-- Name: TABLE group_channel_links; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.group_channel_links TO nezuko_bridge;

--
-- Name: TABLE group_restrictions; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.group_restrictions TO nezuko_bridge;

--
-- Name: TABLE group_settings; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT ON TABLE nezuko.group_settings TO nezuko_bridge;

--
-- Name: TABLE group_settings_defaults; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT ON TABLE nezuko.group_settings_defaults TO nezuko_bridge;

--
-- Name: TABLE group_user_first_seen; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.group_user_first_seen TO nezuko_bridge;

--
-- Name: SEQUENCE login_failures_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.login_failures_id_seq TO nezuko_bridge;

--
-- Name: TABLE membership_cache; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.membership_cache TO nezuko_bridge;

--
-- Name: TABLE new_users_daily; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.new_users_daily TO nezuko_bridge;

--
-- Name: TABLE new_users_daily_all; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.new_users_daily_all TO nezuko_bridge;

--
-- Name: TABLE new_users_hourly; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.new_users_hourly TO nezuko_bridge;

--
-- Name: TABLE new_users_hourly_all; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.new_users_hourly_all TO nezuko_bridge;

--
-- Name: TABLE owners; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT ON TABLE nezuko.owners TO nezuko_bridge;

--
-- Name: TABLE processed_updates; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.processed_updates TO nezuko_bridge;

--
-- Name: TABLE realtime_events; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.realtime_events TO nezuko_bridge;

--
-- Name: SEQUENCE realtime_events_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.realtime_events_id_seq TO nezuko_bridge;

--
-- Name: TABLE realtime_retention; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT ON TABLE nezuko.realtime_retention TO nezuko_bridge;

--
-- Name: TABLE schema_version; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT ON TABLE nezuko.schema_version TO nezuko_bridge;

--
-- Name: SEQUENCE sse_tickets_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.sse_tickets_id_seq TO nezuko_bridge;

--
-- Name: TABLE user_first_seen; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.user_first_seen TO nezuko_bridge;

--
-- Name: TABLE verification_daily; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_daily TO nezuko_bridge;

--
-- Name: TABLE verification_daily_all; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_daily_all TO nezuko_bridge;

--
-- Name: TABLE verification_day24_all; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_day24_all TO nezuko_bridge;

--
-- Name: TABLE verification_day24_pending; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_day24_pending TO nezuko_bridge;

--
-- Name: TABLE verification_group_totals; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_group_totals TO nezuko_bridge;

--
-- Name: TABLE verification_hourly; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_hourly TO nezuko_bridge;

--
-- Name: TABLE verification_hourly_all; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_hourly_all TO nezuko_bridge;

--
-- Name: TABLE verification_latency_daily; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_latency_daily TO nezuko_bridge;

--
-- Name: TABLE verification_latency_daily_all; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_latency_daily_all TO nezuko_bridge;

--
-- Name: TABLE verification_latency_day24_all; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_latency_day24_all TO nezuko_bridge;

--
-- Name: TABLE verification_latency_day24_pending; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_latency_day24_pending TO nezuko_bridge;

--
-- Name: TABLE verification_latency_hourly_all; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_latency_hourly_all TO nezuko_bridge;

--
-- Name: TABLE verification_latency_quarter_all; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE nezuko.verification_latency_quarter_all TO nezuko_bridge;

--
-- Name: TABLE verification_log; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,INSERT ON TABLE nezuko.verification_log TO nezuko_bridge;

--
-- Name: SEQUENCE verification_log_id_seq; Type: ACL; Schema: nezuko; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE nezuko.verification_log_id_seq TO nezuko_bridge;

--
-- PostgreSQL database dump complete
--
