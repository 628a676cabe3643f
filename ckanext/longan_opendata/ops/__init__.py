"""Operations: ``ckan longan doctor`` (is every service there and set up?) and logging."""
