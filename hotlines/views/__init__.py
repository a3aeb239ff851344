"""Views, one module per area. Thin: reads in selectors, writes in services."""
