-- analytics.time_zone: checks a p_tz (a name PostgreSQL knows, such as UTC
-- or Europe/Berlin); 22023 otherwise.
create function analytics.time_zone(p_tz text) returns text
language plpgsql stable as $$
begin
    if p_tz is null or p_tz = '' then
        raise exception 'p_tz must be a time zone name such as UTC or Europe/Berlin (got %)',
            coalesce(quote_literal(p_tz), 'null') using errcode = '22023';
    end if;
    perform now() at time zone p_tz;
    return p_tz;
exception when invalid_parameter_value then
    raise exception 'p_tz must be a time zone name such as UTC or Europe/Berlin (got %)', quote_literal(p_tz)
        using errcode = '22023';
end
$$;
comment on function analytics.time_zone(text) is 'Returns p_tz when PostgreSQL knows the time zone; raises 22023 otherwise.';
