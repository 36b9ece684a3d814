from credhelper.entry import main

main()
