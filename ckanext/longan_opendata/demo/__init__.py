"""Demo content, never needed in production: the demo catalogue (agencies and datasets with
DataStore tables), the demo shared database and the demo LGSP service, and their commands."""
