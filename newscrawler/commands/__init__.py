"""Scrapy commands of the project (``COMMANDS_MODULE``): ``scrapy crawl`` with its arguments
checked before the crawl starts."""
