-- analytics.check_page: the one rule every paginated api.list_* function
-- applies to its page arguments, kept in one place (schema analytics: the
-- api functions' internal helpers, not exposed by the REST API).
create function analytics.check_page(p_limit integer, p_offset integer, p_max_limit integer) returns void
language plpgsql immutable as $$
begin
    if p_limit is null or p_limit not between 1 and p_max_limit then
        raise exception 'p_limit must be between 1 and %', p_max_limit using errcode = '22023';
    end if;
    if p_offset is null or p_offset < 0 then
        raise exception 'p_offset must be 0 or more' using errcode = '22023';
    end if;
end
$$;
comment on function analytics.check_page(integer, integer, integer) is
    'Validates a list function''s p_limit (1..p_max_limit) and p_offset (>= 0); raises 22023 naming the argument.';
