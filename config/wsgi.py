import django

from config.env import select_settings_module

select_settings_module()
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application does

from apps.core.wsgi import Handler  # noqa: E402 - the apps are ready only now

application = Handler()
