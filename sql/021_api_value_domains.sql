-- Domains for the values the API exposes with a fixed set of choices or
-- bounds. The REST API's catalog reader turns them into JSON Schema: a
-- domain whose CHECK holds one ARRAY['a', 'b', ...] list becomes a named
-- string enum (components/schemas/<PascalName>); nezuko.check_range(VALUE,
-- lo, hi, ...) or `VALUE >= n` / `VALUE <= n` become minimum/maximum. api functions use them for arguments
-- (p_period nezuko.period) and for result fields (attributes of api.* types,
-- OUT parameters).
--
-- Why here and not in the functions code package: a domain used by a table
-- column, or by an api type that is recreated on every install, must outlive
-- `drop schema api cascade` (see README "SQL conventions").
--
-- Choices an api argument takes are checked by nezuko.check_choice, which
-- raises 22023 (HTTP 400) naming the argument and the allowed values, the
-- same error the functions raised before they had domains. A null passes
-- the domain: whether null is allowed is the function's business.

create function nezuko.check_choice(p_value text, p_allowed text[], p_what text) returns boolean
language plpgsql immutable parallel safe as $$
begin
    if p_value is null or p_value = any (p_allowed) then
        return true;
    end if;
    raise exception '% must be one of % (got %)', p_what, array_to_string(p_allowed, ', '), quote_literal(p_value)
        using errcode = '22023';
end
$$;
comment on function nezuko.check_choice(text, text[], text) is
    'CHECK of the choice domains: true when p_value is null or one of p_allowed, else raises 22023 naming p_what and the allowed values.';

create function nezuko.check_range(p_value bigint, p_min bigint, p_max bigint, p_what text) returns boolean
language plpgsql immutable parallel safe as $$
begin
    if p_value is null or p_value between p_min and p_max then
        return true;
    end if;
    raise exception '% must be between % and % (got %)', p_what, p_min, p_max, p_value using errcode = '22023';
end
$$;
comment on function nezuko.check_range(bigint, bigint, bigint, text) is
    'CHECK of the bounded integer domains: true when p_value is null or within [p_min, p_max], else raises 22023 naming p_what and the bounds.';

create domain nezuko.top_limit as integer
    check (nezuko.check_range(value, 1, 100, 'p_limit'));
comment on domain nezuko.top_limit is 'How many entries of a top-N list: 1 to 100.';

create domain nezuko.period as text
    check (nezuko.check_choice(value, array['24h', '7d', '30d', '90d'], 'p_period'));
comment on domain nezuko.period is 'An analytics window ending now: 24h, 7d, 30d or 90d.';

create domain nezuko.granularity as text
    check (nezuko.check_choice(value, array['hour', 'day', 'week'], 'p_granularity'));
comment on domain nezuko.granularity is 'A bucket size of a time series: hour, day or week (weeks start on Monday).';

create domain nezuko.day_or_week as text
    check (nezuko.check_choice(value, array['day', 'week'], 'p_granularity'));
comment on domain nezuko.day_or_week is 'A bucket size of a daily or weekly series: day or week (weeks start on Monday).';

create domain nezuko.role as text
    check (nezuko.check_choice(value, array['viewer', 'admin'], 'role'));
comment on domain nezuko.role is 'An API role: viewer (reads) or admin (reads and changes).';

create domain nezuko.log_level as text
    check (nezuko.check_choice(value, array['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'], 'level'));
comment on domain nezuko.log_level is 'Severity of an application log record, lowest first.';

create domain nezuko.bot_state as text
    check (nezuko.check_choice(value, array['starting', 'online', 'degraded', 'offline', 'error'], 'status'));
comment on domain nezuko.bot_state is 'A bot''s live status (offline when its heartbeat is older than two intervals).';

create domain nezuko.health as text
    check (nezuko.check_choice(value, array['ok', 'warning', 'error'], 'health'));
comment on domain nezuko.health is 'ok, or warning/error with a health_reason.';

create domain nezuko.command_status as text
    check (nezuko.check_choice(value, array['pending', 'running', 'completed', 'failed', 'cancelled', 'unknown'], 'status'));
comment on domain nezuko.command_status is 'State of an admin command in the queue (unknown: a command that may not repeat was interrupted after it reached Telegram).';

create domain nezuko.update_mode as text
    check (nezuko.check_choice(value, array['polling', 'webhook'], 'update_mode'));
comment on domain nezuko.update_mode is 'How a bot receives updates: long polling or webhook.';

create domain nezuko.value_type as text
    check (nezuko.check_choice(value, array['integer', 'number', 'boolean', 'string'], 'value_type'));
comment on domain nezuko.value_type is 'Type of a setting''s JSON value.';

create domain nezuko.percent as numeric
    check (value >= 0 and value <= 100);
comment on domain nezuko.percent is 'A percentage, 0-100.';

-- Page arguments of the api.list_* functions (nezuko.check_page checks
-- them again in each function, with its own limit).
create domain nezuko.page_limit as integer
    check (nezuko.check_range(value, 1, 500, 'p_limit'));
comment on domain nezuko.page_limit is 'How many items a page of a list holds: 1 to 500.';

create domain nezuko.command_page_limit as integer
    check (nezuko.check_range(value, 1, 1000, 'p_limit'));
comment on domain nezuko.command_page_limit is 'How many commands a page of api.list_commands holds: 1 to 1000.';

create domain nezuko.page_offset as integer
    check (nezuko.check_range(value, 0, 2147483647, 'p_offset'));
comment on domain nezuko.page_offset is 'How many items of a list to skip: 0 or more.';
