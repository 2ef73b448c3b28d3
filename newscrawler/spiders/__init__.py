"""Spiders: one ``PortalSpider`` class, and a named subclass per registered portal so that
``scrapy crawl zjdaily`` works as Scrapy users expect."""
