"""Events the search app publishes: none yet (a new plot's matches are read through
selectors.saved_searches_matching_plot by whoever tells the owners)."""
