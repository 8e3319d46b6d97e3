-- analytics.period: the length of a p_period value, or 22023 naming the
-- allowed values (never a silent default).
create function analytics.period(p_period text) returns interval
language plpgsql immutable as $$
declare
    v interval := case p_period
        when '24h' then interval '24 hours'
        when '7d' then interval '7 days'
        when '30d' then interval '30 days'
        when '90d' then interval '90 days'
    end;
begin
    if v is null then
        raise exception 'p_period must be one of 24h, 7d, 30d, 90d (got %)', coalesce(quote_literal(p_period), 'null')
            using errcode = '22023';
    end if;
    return v;
end
$$;
comment on function analytics.period(text) is 'Interval of a p_period (24h, 7d, 30d, 90d); raises 22023 otherwise.';
