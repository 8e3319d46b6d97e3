-- analytics.granularity: checks a p_granularity against the values one RPC
-- allows; 22023 naming them otherwise.
create function analytics.granularity(p_granularity text, p_allowed text[]) returns text
language plpgsql immutable as $$
begin
    if p_granularity is null or not p_granularity = any (p_allowed) then
        raise exception 'p_granularity must be one of % (got %)', array_to_string(p_allowed, ', '),
            coalesce(quote_literal(p_granularity), 'null') using errcode = '22023';
    end if;
    return p_granularity;
end
$$;
comment on function analytics.granularity(text, text[]) is 'Returns p_granularity when it is one of p_allowed; raises 22023 otherwise.';
