# Compiled from templates/devenv/devenv.nix.j2 by `make regen`;
# do not edit (loaded only while the fingerprint matches the template).
FINGERPRINT = '5b0f367a23f720ee60797407d29e3cc80769dea83a2a45ee0ca960f4ea0820ac'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'devenv/devenv.nix.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_header = resolve('header')
    l_0_packages = resolve('packages')
    l_0_enter_shell = resolve('enter_shell')
    l_0_scripts = resolve('scripts')
    try:
        t_1 = environment.filters['nix']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'nix' found.")
    pass
    yield '# '
    yield str((undefined(name='header') if l_0_header is missing else l_0_header))
    yield "\n#\n# The tools and scripts to apply what homeops-gen generated. `devenv shell`\n# reads .env (copy .env.example and fill it in) for the credentials when it\n# starts, as a shell would: the values stay in the shell's environment. (devenv's\n# dotenv integration is not used: it evaluates the values into the Nix store.)\n{ pkgs, ... }:\n\n{\n  packages = [\n"
    for l_1_package in (undefined(name='packages') if l_0_packages is missing else l_0_packages):
        _loop_vars = {}
        pass
        yield '    pkgs.'
        yield str(l_1_package)
        yield '\n'
    l_1_package = missing
    yield '  ];\n\n  dotenv.disableHint = true;\n\n  enterShell = '
    yield str(t_1((undefined(name='enter_shell') if l_0_enter_shell is missing else l_0_enter_shell)))
    yield ';\n\n  scripts = {\n'
    for l_1_script in (undefined(name='scripts') if l_0_scripts is missing else l_0_scripts):
        _loop_vars = {}
        pass
        yield '    '
        yield str(environment.getattr(l_1_script, 'name'))
        yield ' = {\n      description = '
        yield str(t_1(environment.getattr(l_1_script, 'description')))
        yield ';\n      exec = '
        yield str(t_1(environment.getattr(l_1_script, 'exec')))
        yield ';\n    };\n'
    l_1_script = missing
    yield '  };\n}\n'

blocks = {}
debug_info = '1=22&11=24&12=28&18=32&21=34&22=38&23=40&24=42'
