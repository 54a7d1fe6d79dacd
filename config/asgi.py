from django.core.asgi import get_asgi_application

from config.env import select_settings_module

select_settings_module()
application = get_asgi_application()
