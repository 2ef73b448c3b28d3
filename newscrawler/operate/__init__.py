"""Operator commands that run outside a crawl: the configuration file, the scheduler, and the
scrapyd nodes crawls are spread over. Nothing here is imported by the Scrapy components that run
inside a crawl (spiders, middlewares, pipelines, extensions)."""
